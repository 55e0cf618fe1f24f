import { describe, expect, it } from 'vitest';
import { referenceCases, selectJson } from '@facemask/contracts/reference';
import { factorScores } from './factors.ts';

describe('factorScores', () => {
  it('splits 18-class predictions into mask, gender and age-band matrices (by hand)', () => {
    // 0 = wear/male/<30, 6 = incorrect/male/<30, 12 = not_wear/male/<30, 17 = not_wear/female/60+
    const [mask, gender, age] = factorScores([0, 6, 12, 17], [1, 6, 13, 5]);
    expect(mask!.confusion).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [1, 0, 1],
    ]);
    expect(mask!.accuracy).toBe(3 / 4);
    // wear: P 1/2 R 1 -> F1 2/3; incorrect: 1; not_wear: P 1 R 1/2 -> 2/3
    expect(mask!.macroF1).toBeCloseTo(7 / 9, 12);
    expect(gender!.confusion).toEqual([
      [3, 0],
      [0, 1],
    ]);
    expect(gender!.accuracy).toBe(1);
    expect(age!.confusion).toEqual([
      [1, 2, 0],
      [0, 0, 0],
      [0, 0, 1],
    ]);
    expect(age!.accuracy).toBe(2 / 4);
    expect([mask!.labels, gender!.labels, age!.labels]).toEqual([
      ['wear', 'incorrect', 'not_wear'],
      ['male', 'female'],
      ['<30', '30-59', '60+'],
    ]);
  });

  const cases = referenceCases('metrics');
  it.each(cases.map((c) => [c.id, c] as const))('sums the blocks of sklearn\'s 18x18 confusion matrix (%s)', (_id, c) => {
    const data = selectJson(c) as { y_true: number[]; y_pred: number[]; confusion_matrix_labels_range18: number[][] };
    const cm = data.confusion_matrix_labels_range18;
    const n = data.y_true.length;
    const of = { mask: (k: number) => Math.floor(k / 6), gender: (k: number) => Math.floor(k / 3) % 2, age: (k: number) => k % 3 };
    for (const s of factorScores(data.y_true, data.y_pred)) {
      const expected = s.labels.map(() => s.labels.map(() => 0));
      cm.forEach((row, t) => row.forEach((v, p) => (expected[of[s.factor](t)]![of[s.factor](p)]! += v)));
      expect(s.confusion).toEqual(expected);
      expect(s.accuracy).toBeCloseTo(expected.reduce((a, r, i) => a + r[i]!, 0) / n, 12);
    }
  });
});
