import { describe, expect, it } from 'vitest';
import { concatOof } from './oof.ts';
import { peaked, preds, rowOf } from '@facemask/contracts/testing';

describe('concatOof', () => {
  const f0 = preds('round1/fold-0', 'oof', ['p1/a.jpg', 'p1/b.jpg'], [peaked(0, 0.9), peaked(3, 0.7)], [0, 4]);
  const f1 = preds('round1/fold-1', 'oof', ['p2/a.jpg'], [peaked(5, 0.8)], [5]);

  it('joins disjoint folds, keeping rows and labels with their ids', () => {
    const all = concatOof([f0, f1], { source: 'ensemble/round1' });
    expect(all.ids).toEqual(['p1/a.jpg', 'p1/b.jpg', 'p2/a.jpg']);
    expect(all.labels).toEqual([0, 4, 5]);
    expect(rowOf(all, 'p2/a.jpg')).toEqual(peaked(5, 0.8));
    expect(all.split).toBe('oof');
    expect(all.source).toBe('ensemble/round1');
    expect(concatOof([f0]).source).toBe('ensemble/oof');
  });

  it('fails on an id in two folds, naming both folds', () => {
    const clash = preds('round1/fold-2', 'oof', ['p1/b.jpg', 'p3/a.jpg'], [peaked(1, 1), peaked(1, 1)], [1, 1]);
    expect(() => concatOof([f0, f1, clash])).toThrow(/1 ids are in both round1\/fold-0 and round1\/fold-2, e\.g\. p1\/b\.jpg/);
  });

  it('fails on empty input, eval predictions and unlabelled folds', () => {
    expect(() => concatOof([])).toThrow(/no out-of-fold predictions/);
    const ev = preds('round1/fold-0', 'eval', ['e1'], [peaked(1, 1)]);
    expect(() => concatOof([ev])).toThrow(/holds eval predictions, not out-of-fold ones/);
    const bare = preds('round1/fold-4', 'oof', ['x'], [peaked(1, 1)], null);
    expect(() => concatOof([bare])).toThrow(/round1\/fold-4 out-of-fold predictions carry no labels.*retrain that fold/);
  });

  it('fails on an id listed twice inside one fold', () => {
    const twice = preds('round1/fold-0', 'oof', ['a', 'a'], [peaked(1, 1), peaked(1, 1)], [1, 1]);
    expect(() => concatOof([twice])).toThrow(/list 1 ids more than once/);
  });
});
