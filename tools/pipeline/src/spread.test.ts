import { describe, expect, it } from 'vitest';
import { spreadOf } from './spread.ts';

describe('spreadOf', () => {
  it('takes the middle timing of an odd count and the mean of the middle two of an even one', () => {
    expect(spreadOf([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spreadOf([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
  });

  it('refuses no timings', () => {
    expect(() => spreadOf([])).toThrow(/no timings/);
  });
});
