import { describe, expect, it } from 'vitest';
import { classShares, countAnswers } from './distribution.ts';

describe('classShares', () => {
  it('gives each set its own shares', () => {
    const train = new Array<number>(18).fill(0);
    const ev = new Array<number>(18).fill(0);
    train[0] = 3;
    train[17] = 1;
    ev[0] = 1;
    ev[5] = 1;
    const s = classShares(train, ev);
    expect(s).toHaveLength(18);
    expect(s[0]).toEqual({ cls: 0, name: 'wear/male/<30', trainCount: 3, trainShare: 0.75, evalCount: 1, evalShare: 0.5 });
    expect(s[17]!.trainShare).toBe(0.25);
    expect(s[5]!.evalShare).toBe(0.5);
    expect(s[5]!.trainShare).toBe(0);
  });

  it('gives an empty set shares of 0 and rejects a wrong length', () => {
    expect(classShares(new Array(18).fill(0), new Array(18).fill(0)).every((s) => s.trainShare === 0 && s.evalShare === 0)).toBe(true);
    expect(() => classShares([1, 2], new Array(18).fill(0))).toThrow(/training counts have 2 entries/);
  });
});

describe('countAnswers', () => {
  it('counts submitted classes', () => {
    const c = countAnswers(new Map([['a', 0], ['b', 0], ['c', 17]]));
    expect(c[0]).toBe(2);
    expect(c[17]).toBe(1);
    expect(c.reduce((s, v) => s + v, 0)).toBe(3);
  });
});
