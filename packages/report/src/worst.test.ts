import { describe, expect, it } from 'vitest';
import { peaked, preds } from '@facemask/contracts/testing';
import { worstPredictions } from './worst.ts';

describe('worstPredictions', () => {
  const oof = preds(
    'ensemble/round1',
    'oof',
    ['a', 'b', 'c', 'd', 'e', 'f'],
    // a right at 0.99; b wrong at 0.6; c wrong at 0.9; d wrong at 0.6 (ties with b); e right; f wrong at 0.3
    [peaked(0, 0.99), peaked(5, 0.6), peaked(17, 0.9), peaked(2, 0.6), peaked(3, 0.5), peaked(1, 0.3)],
    [0, 4, 16, 3, 3, 0],
  );

  it('lists only misclassified photos, most confident first, ties by id', () => {
    const w = worstPredictions(oof, 10);
    expect(w.map((x) => x.id)).toEqual(['c', 'b', 'd', 'f']);
    expect(w[0]).toMatchObject({ id: 'c', trueCls: 16, predCls: 17, confidence: 0.9 });
    expect(w[0]!.trueProb).toBeCloseTo(0.1 / 17, 15);
    expect(w.map((x) => x.confidence)).toEqual([0.9, 0.6, 0.6, 0.3]);
  });

  it('keeps at most `limit`, and none when asked for none', () => {
    expect(worstPredictions(oof, 2).map((x) => x.id)).toEqual(['c', 'b']);
    expect(worstPredictions(oof, 0)).toEqual([]);
  });

  it('refuses predictions without labels', () => {
    expect(() => worstPredictions({ ...oof, labels: null }, 3)).toThrow(/without labels/);
  });
});
