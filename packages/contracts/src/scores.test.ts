import { describe, expect, it } from 'vitest';
import { checkTolerance, referenceCases, selectJson } from './reference.ts';
import { scoresSchema } from './artifacts/ensemble.ts';
import { scoreClasses } from './scores.ts';

interface MetricsCase {
  y_true: number[];
  y_pred: number[];
  accuracy: number;
  f1_macro: { labels_none: { zero_division_0: number } };
  per_class_labels_range18: { zero_division_0: { f1: number[]; precision: number[]; recall: number[] } };
  confusion_matrix_labels_range18: number[][];
}

describe('scoreClasses matches sklearn on the reference cases', () => {
  const cases = referenceCases('metrics');
  it('has metrics cases', () => expect(cases.length).toBeGreaterThan(0));
  for (const c of cases) {
    it(c.id, () => {
      const ref = selectJson(c) as MetricsCase;
      const s = scoreClasses(ref.y_true, ref.y_pred);
      const tol = c.tolerances as Record<string, Record<string, unknown>>;
      const check = (a: number[], b: number[], t: Record<string, unknown> | undefined) => {
        const r = checkTolerance(a, b, t ?? { exact: true });
        expect(r.ok, r.message).toBe(true);
      };
      check([s.macroF1], [ref.f1_macro.labels_none.zero_division_0], tol.f1);
      check([s.accuracy], [ref.accuracy], tol.accuracy);
      const per = ref.per_class_labels_range18.zero_division_0;
      check(s.perClass.map((p) => p.f1), per.f1, tol.f1);
      check(s.perClass.map((p) => p.precision), per.precision, tol.f1);
      check(s.perClass.map((p) => p.recall), per.recall, tol.f1);
      expect(s.confusion).toEqual(ref.confusion_matrix_labels_range18);
      expect(s.perClass.map((p) => p.support)).toEqual(ref.confusion_matrix_labels_range18.map((r) => r.reduce((a, b) => a + b, 0)));
      expect(scoresSchema.safeParse(s).success).toBe(true);
    });
  }
});

describe('scoreClasses', () => {
  it('names each class and counts n', () => {
    const s = scoreClasses([0, 17, 17], [0, 17, 3]);
    expect(s.n).toBe(3);
    expect(s.perClass[17]).toMatchObject({ cls: 17, name: 'not_wear/female/60+', support: 2, precision: 1, recall: 0.5 });
    expect(s.confusion[17]![3]).toBe(1);
  });
  it('rejects empty or mismatched input', () => {
    expect(() => scoreClasses([], [])).toThrow(/no samples/);
    expect(() => scoreClasses([1], [1, 2])).toThrow(/1 entries/);
  });
});
