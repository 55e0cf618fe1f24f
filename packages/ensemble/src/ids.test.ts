import { describe, expect, it } from 'vitest';
import { argmaxRow, describeIdMismatch, diffIds, examples, indexById, predictedClasses } from './ids.ts';
import { peaked, preds, row } from './test-utils/predictions.ts';

describe('id helpers', () => {
  it('lists a few examples and marks the rest', () => {
    expect(examples(['a', 'b'])).toBe('a, b');
    expect(examples(['a', 'b', 'c', 'd'])).toBe('a, b, c, …');
    expect(examples(['a', 'b', 'c'], 1)).toBe('a, …');
  });

  it('diffs id lists both ways, keeping each side in its own order', () => {
    expect(diffIds(['d', 'a', 'x'], ['a', 'b', 'c', 'd'])).toEqual({ missing: ['b', 'c'], extra: ['x'] });
    expect(diffIds(['b', 'a'], ['a', 'b'])).toEqual({ missing: [], extra: [] });
  });

  it('describes a mismatch, or returns null when there is none', () => {
    expect(describeIdMismatch('fold-3 eval predictions', { missing: ['a'], extra: [] }, 'retrain that fold')).toBe(
      'fold-3 eval predictions lack 1 ids, e.g. a: retrain that fold',
    );
    expect(describeIdMismatch('x', { missing: ['a'], extra: ['q', 'r'] }, 'fix it')).toBe('x lack 1 ids, e.g. a and have 2 unexpected ids, e.g. q, r: fix it');
    expect(describeIdMismatch('x', { missing: [], extra: [] }, 'fix it')).toBeNull();
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
