import { describe, expect, it } from 'vitest';
import { examples } from './ids.ts';
import { argmaxRow, indexById, predictedClasses } from './predictions.ts';
import { peaked, preds, row } from './testing/predictions.ts';

describe('prediction helpers', () => {
  it('lists a few examples and marks the rest', () => {
    expect(examples(['a', 'b'])).toBe('a, b');
    expect(examples(['a', 'b', 'c', 'd'])).toBe('a, b, c, …');
    expect(examples(['a', 'b', 'c'], 1)).toBe('a, …');
  });

  it('indexes rows by id and rejects mislabelled arrays', () => {
    const p = preds('s', 'oof', ['a', 'b'], [peaked(1, 1), peaked(2, 1)], [1, 2]);
    expect([...indexById(p)]).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
    expect(() => indexById({ ...p, labels: [1] })).toThrow(/s oof predictions have 1 labels for 2 ids/);
  });

  it('takes the argmax of a row, the lower class on exact ties', () => {
    const probs = [...row({ 4: 0.3, 9: 0.3, 1: 0.2 }), ...peaked(17, 0.5)];
    expect(argmaxRow(probs, 0)).toBe(4);
    expect(argmaxRow(probs, 1)).toBe(17);
    expect(predictedClasses({ ids: ['a', 'b'], probs })).toEqual([4, 17]);
  });
});
