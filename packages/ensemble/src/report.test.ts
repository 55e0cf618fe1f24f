import { describe, expect, it } from 'vitest';
import { ensembleReportSchema } from '@facemask/contracts';
import { combine } from './combine.ts';
import { concatOof } from './oof.ts';
import { buildReport, formatEnsembleReport } from './report.ts';
import { peaked, preds } from '@facemask/contracts/testing';

function twoFolds() {
  const f0 = { fold: 0, oof: preds('round1/fold-0', 'oof', ['t1', 't2'], [peaked(0, 0.9), peaked(4, 0.8)], [0, 4]), eval: preds('round1/fold-0', 'eval', ['e1', 'e2'], [peaked(3, 0.9), peaked(5, 0.6)]) };
  const f1 = { fold: 1, oof: preds('round1/fold-1', 'oof', ['t3', 't4'], [peaked(4, 0.7), peaked(1, 0.9)], [4, 2]), eval: preds('round1/fold-1', 'eval', ['e2', 'e1'], [peaked(6, 0.7), peaked(3, 0.5)]) };
  return [f0, f1];
}

describe('buildReport', () => {
  it('scores the joined out-of-fold set, each fold, and summarises the eval set', () => {
    const folds = twoFolds();
    const oof = concatOof(folds.map((f) => f.oof));
    const ev = combine(folds.map((f) => f.eval), { method: 'soft', ids: ['e1', 'e2'] });
    const r = buildReport({ round: 1, method: 'soft', weights: null, folds, oof, eval: ev });
    expect(ensembleReportSchema.safeParse(r).success).toBe(true);
    expect(r.oof.n).toBe(4);
    expect(r.oof.accuracy).toBe(0.75);
    // present classes 0, 1, 2, 4: F1 1, 0, 0, 1
    expect(r.oof.macroF1).toBeCloseTo(0.5, 12);
    expect(r.oof.confusion[2]![1]).toBe(1);
    expect(r.folds).toEqual([
      { fold: 0, n: 2, accuracy: 1, macroF1: 1 },
      { fold: 1, n: 2, accuracy: 0.5, macroF1: expect.closeTo(1 / 3, 12) },
    ]);
    expect(r.members.map((m) => [m.fold, m.oofCount, m.evalCount])).toEqual([
      [0, 2, 2],
      [1, 2, 2],
    ]);
    expect(r.eval.n).toBe(2);
    expect(r.eval.predictedCounts[3]).toBe(1);
    expect(r.eval.predictedCounts[5]! + r.eval.predictedCounts[6]!).toBe(1);
    expect(r.eval.unanimous).toBe(0.5);
    // e1: class 3 at (0.9 + 0.5) / 2; e2: class 6 at (0.7 + 0.4 / 17) / 2 (peaked spreads the rest)
    expect(r.eval.meanConfidence).toBeCloseTo((0.7 + (0.7 + 0.4 / 17) / 2) / 2, 12);
    expect(r.eval.predictedCounts[6]).toBe(1);
  });

  it('formats one screen of text', () => {
    const folds = twoFolds();
    const r = buildReport({
      round: 2,
      method: 'hard',
      weights: [1, 2],
      folds,
      oof: concatOof(folds.map((f) => f.oof)),
      eval: combine(folds.map((f) => f.eval), { method: 'hard', weights: [1, 2] }),
    });
    const text = formatEnsembleReport(r);
    expect(text).toMatch(/^ensemble round 2: hard voting over 2 folds \(fold-0, fold-1\), weights 1, 2/);
    expect(text).toMatch(/out-of-fold n=4: macro F1 0\.5000 {2}accuracy 0\.7500/);
    expect(text).toMatch(/fold-1 F1 0\.333 acc 0\.500 \(n=2\)/);
    expect(text).toMatch(/ 4 wear\/female\/30-59 +1\.000 \(2\)/);
    expect(text).toMatch(/true \\ pred/);
    expect(text).toMatch(/every fold agrees with the ensemble on 50\.0%/);
    expect(text.split('\n').length).toBeLessThan(50);
  });

  it('refuses unlabelled out-of-fold predictions', () => {
    const folds = twoFolds();
    const oof = { ...concatOof(folds.map((f) => f.oof)), labels: null };
    const ev = combine(folds.map((f) => f.eval), { method: 'soft' });
    expect(() => buildReport({ round: 1, method: 'soft', weights: null, folds, oof, eval: ev })).toThrow(/without labels/);
  });
});
