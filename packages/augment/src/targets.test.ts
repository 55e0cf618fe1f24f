import { describe, expect, it } from 'vitest';
import { mixTargets, softTargets } from './targets.ts';

describe('softTargets', () => {
  it('turns class ids into one-hot rows and copies soft rows', () => {
    expect(Array.from(softTargets([2, 0], 2, 3))).toEqual([0, 0, 1, 1, 0, 0]);
    expect(Array.from(softTargets(Float32Array.of(0.5, 0.5, 0, 0, 0, 1), 2, 3))).toEqual([0.5, 0.5, 0, 0, 0, 1]);
    expect(Array.from(softTargets([[0, 1, 0], [1, 0, 0]], 2, 3))).toEqual([0, 1, 0, 1, 0, 0]);
  });

  it('explains bad labels', () => {
    expect(() => softTargets([3], 1, 3)).toThrow(/labels\[0\] = 3 is not a class id in \[0, 3\)/);
    expect(() => softTargets([[1, 0]], 1, 3)).toThrow(/labels\[0\] has 2 values, expected 3/);
    expect(() => softTargets([0, 1, 2, 0], 2, 3)).toThrow(/pass 2 class ids or 2x3 soft targets/);
  });
});

describe('mixTargets', () => {
  it('blends each row with its partner by the share and keeps row sums', () => {
    const y = softTargets([0, 2], 2, 3);
    const m = mixTargets(y, 3, [1, 0], 0.25);
    expect(Array.from(m)).toEqual([0.75, 0, 0.25, 0.25, 0, 0.75]);
  });
});
