import { describe, expect, it } from 'vitest';
import { Rng } from './rng.ts';

describe('Rng', () => {
  it('repeats for the same seed and differs for another', () => {
    const a = Array.from({ length: 5 }, ((r) => () => r.next())(new Rng(7)));
    const b = Array.from({ length: 5 }, ((r) => () => r.next())(new Rng(7)));
    const c = Array.from({ length: 5 }, ((r) => () => r.next())(new Rng(8)));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const x of a) expect(x >= 0 && x < 1).toBe(true);
  });

  it('derives independent named streams', () => {
    expect(Rng.derive(1, 'a', 0).next()).toBe(Rng.derive(1, 'a', 0).next());
    expect(Rng.derive(1, 'a', 0).next()).not.toBe(Rng.derive(1, 'a', 1).next());
    expect(Rng.derive(1, 'a').next()).not.toBe(Rng.derive(2, 'a').next());
  });

  it('draws integers in range, shuffles as a permutation, and has a sane normal', () => {
    const r = new Rng(3);
    const ints = Array.from({ length: 1000 }, () => r.int(2, 5));
    expect(Math.min(...ints)).toBe(2);
    expect(Math.max(...ints)).toBe(4);
    const s = r.shuffle([...Array(50).keys()]);
    expect([...s].sort((x, y) => x - y)).toEqual([...Array(50).keys()]);
    const z = Array.from({ length: 20000 }, () => r.normal());
    const mean = z.reduce((p, q) => p + q, 0) / z.length;
    const sd = Math.sqrt(z.reduce((p, q) => p + (q - mean) ** 2, 0) / z.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
    expect(() => r.pick([])).toThrow(/empty/);
    expect(() => new Rng(Number.NaN)).toThrow(/finite/);
  });
});
