import { describe, expect, it } from 'vitest';
import { accuracy, classScores, confusionMatrix, formatConfusion, formatReport, macroF1, presentLabels, type ZeroDivision } from './metrics.ts';
import { checkTolerance, referenceCases, selectJson } from './reference.ts';

interface PerClass {
  f1: number[];
  precision: number[];
  recall: number[];
}
interface MetricsFixture {
  num_classes: number;
  y_true: number[];
  y_pred: number[];
  accuracy: number;
  f1_macro: Record<string, Record<string, number>>;
  per_class_labels_range18: Record<string, PerClass>;
  labels_present_in_y_true_or_y_pred: number[];
  confusion_matrix_labels_range18: number[][];
}

/** Fixture variant keys to options; an unknown key fails rather than being skipped. */
function zeroDivisionOf(key: string): ZeroDivision {
  const map: Record<string, ZeroDivision> = { zero_division_0: 0, zero_division_warn: 'warn', zero_division_1: 1 };
  if (!(key in map)) throw new Error(`unknown zero_division variant "${key}" in metrics.json`);
  return map[key]!;
}
function labelsOf(key: string, numClasses: number): number[] | null {
  if (key === 'labels_none') return null;
  if (key === 'labels_range18') return Array.from({ length: numClasses }, (_, i) => i);
  throw new Error(`unknown labels variant "${key}" in metrics.json`);
}

const cases = referenceCases('metrics');

describe('metrics against scikit-learn', () => {
  it('the manifest has metrics cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    it(`${c.id}: accuracy, macro F1 (every labels/zero_division variant), per-class scores, confusion matrix`, () => {
      const fx = selectJson(c) as MetricsFixture;
      const tol = (k: string) => c.tolerances[k] as Record<string, unknown>;
      const fails: string[] = [];
      const check = (what: string, got: ArrayLike<number>, ref: ArrayLike<number>, t: Record<string, unknown>) => {
        const r = checkTolerance(got, ref, t);
        if (!r.ok) fails.push(`${what}: ${r.message}`);
      };
      const range = labelsOf('labels_range18', fx.num_classes);

      check('accuracy', [accuracy(fx.y_true, fx.y_pred)], [fx.accuracy], tol('accuracy'));
      expect(presentLabels(fx.y_true, fx.y_pred)).toEqual(fx.labels_present_in_y_true_or_y_pred);

      let variants = 0;
      for (const [lkey, byZd] of Object.entries(fx.f1_macro)) {
        for (const [zkey, ref] of Object.entries(byZd)) {
          const got = macroF1(fx.y_true, fx.y_pred, { labels: labelsOf(lkey, fx.num_classes), zeroDivision: zeroDivisionOf(zkey) });
          check(`macro F1 ${lkey}/${zkey}`, [got], [ref], tol('f1'));
          variants++;
        }
      }
      expect(variants).toBeGreaterThan(0);

      for (const [zkey, ref] of Object.entries(fx.per_class_labels_range18)) {
        const s = classScores(fx.y_true, fx.y_pred, { labels: range, zeroDivision: zeroDivisionOf(zkey) });
        expect(s.labels).toEqual(range);
        check(`f1 ${zkey}`, s.f1, ref.f1, tol('f1'));
        check(`precision ${zkey}`, s.precision, ref.precision, tol('f1'));
        check(`recall ${zkey}`, s.recall, ref.recall, tol('f1'));
        const cm = confusionMatrix(fx.y_true, fx.y_pred, range);
        expect(s.support).toEqual(cm.map((row) => row.reduce((a, b) => a + b, 0)));
      }

      const cm = confusionMatrix(fx.y_true, fx.y_pred, range);
      check('confusion matrix', cm.flat(), fx.confusion_matrix_labels_range18.flat(), tol('confusion_matrix'));
      expect(cm.length).toBe(fx.confusion_matrix_labels_range18.length);
      expect(fails).toEqual([]);
    });
  }
});

describe('metrics conventions', () => {
  const yTrue = [0, 0, 1, 2, 2, 2];
  const yPred = [0, 1, 1, 2, 2, 5];

  it('labels=None averages over classes present in y_true or y_pred only', () => {
    // class 5 only predicted: F1 0; classes 3 and 4 absent
    const s = classScores(yTrue, yPred);
    expect(s.labels).toEqual([0, 1, 2, 5]);
    expect(s.f1[3]).toBe(0);
    expect(macroF1(yTrue, yPred)).toBeCloseTo((2 / 3 + 2 / 3 + 0.8 + 0) / 4, 12);
    // with explicit labels 0..5 the absent classes 3, 4 score zero_division
    const base = (2 / 3 + 2 / 3 + 0.8 + 0) / 6;
    expect(macroF1(yTrue, yPred, { labels: [0, 1, 2, 3, 4, 5], zeroDivision: 0 })).toBeCloseTo(base, 12);
    expect(macroF1(yTrue, yPred, { labels: [0, 1, 2, 3, 4, 5], zeroDivision: 1 })).toBeCloseTo(base + 2 / 6, 12);
    expect(macroF1(yTrue, yPred, { labels: [0, 1, 2, 3, 4, 5] })).toBeCloseTo(base, 12);
  });

  it('confusion matrix rows are true classes and labels outside the list are dropped', () => {
    expect(confusionMatrix([0, 1, 1], [1, 1, 0], [0, 1])).toEqual([
      [0, 1],
      [1, 1],
    ]);
    expect(confusionMatrix([0, 1, 7], [1, 1, 0], [0, 1])).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });

  it('rejects mismatched or malformed input with the reason', () => {
    expect(() => accuracy([0, 1], [0])).toThrow(/y_true has 2 entries, y_pred 1/);
    expect(() => macroF1([], [])).toThrow(/no samples/);
    expect(() => macroF1([0, 1.5], [0, 1])).toThrow(/y_true\[1\] = 1.5 is not an integer/);
    expect(() => macroF1([0, 1], [0, 1], { labels: [0, 0] })).toThrow(/duplicates/);
  });

  it('formats a one-screen confusion table and report with class names', () => {
    const labels = Array.from({ length: 18 }, (_, i) => i);
    const yt = labels.flatMap((l) => [l, l, l]);
    const yp = yt.map((l, i) => (i % 3 === 0 ? (l + 1) % 18 : l));
    const table = formatConfusion(confusionMatrix(yt, yp, labels), labels);
    const lines = table.split('\n');
    expect(lines).toHaveLength(19);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(lines[1]).toMatch(/^\s+0 wear\/male\/<30\s+2\s+1(\s+\.){16} \| 3$/);
    expect(lines[18]).toMatch(/17 not_wear\/female\/60\+/);
    const report = formatReport(yt, yp, { labels }).split('\n');
    expect(report).toHaveLength(20);
    expect(report[1]).toMatch(/0 wear\/male\/<30\s+0\.667\s+0\.667\s+0\.667\s+3$/);
    expect(report[19]).toMatch(/accuracy 0\.6667\s+macro F1 0\.6667\s+n 54/);
    expect(formatConfusion([[1]], [40], { name: (c) => `cls${c}` })).toContain('40 cls40');
    expect(() => formatConfusion([[1, 2]], [0, 1])).toThrow(/not 2x2/);
  });
});
