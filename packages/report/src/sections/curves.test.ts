import { describe, expect, it } from 'vitest';
import type { EpochRecord, FoldSummary } from '@facemask/contracts';
import type { FoldTraining } from '../inputs.ts';
import { absent, loaded } from '../loaded.ts';
import { curvesSection, foldCurveBlock, foldTableHtml } from './curves.ts';

const rec = (epoch: number): EpochRecord => ({ epoch, lr: 0.1, trainLoss: 1, valLoss: 1, accuracy: 0.5, macroF1: 0.4, perClassF1: [], imagesPerSecond: 10, seconds: 1 });
const summary: FoldSummary = {
  round: 1, fold: 2, complete: false, mode: 'finetune', epochs: 10, epochsDone: 4, bestEpoch: 2, bestMacroF1: 0.61234, bestAccuracy: 0.7, trainSamples: 1200, valSamples: 300, evalSamples: 50, imagesPerSecond: 12.34, seconds: 75,
};
const fold = (over: Partial<FoldTraining> = {}): FoldTraining => ({ round: 1, fold: 2, dir: '/w/train/round1/fold-2', history: loaded([0, 1, 2, 3].map(rec)), summary: loaded(summary), ...over });

describe('foldTableHtml', () => {
  it('shows epochs done, the best epoch counted from 1 and the scores', () => {
    const html = foldTableHtml([fold()]);
    const c = [...html.matchAll(/<td>(.*?)<\/td>/g)].map((m) => m[1]);
    expect(c).toEqual(['2', '4/10 (incomplete)', '3', '0.6123', '0.7000', '1,200 / 300', '1 min 15 s', '12.3']);
  });

  it('marks a fold without summary', () => {
    expect(foldTableHtml([fold({ summary: absent('x') })])).toContain('summary.json missing');
  });
});

describe('foldCurveBlock', () => {
  it('makes a chart with the best epoch in its title', () => {
    const b = foldCurveBlock(fold());
    expect(b.kind).toBe('chart');
    if (b.kind !== 'chart') return;
    expect(b.id).toBe('curve-r1-f2');
    expect(JSON.stringify(b.spec)).toContain('round 1, fold 2: best epoch 3 (val macro F1 0.6123)');
  });

  it('says what is missing instead of a chart when the fold has no metrics', () => {
    const b = foldCurveBlock(fold({ history: absent('round 1 fold 2 has no metrics: /w/train/round1/fold-2/metrics.jsonl is missing or empty: run `nx run train:round1`') }));
    expect(b).toEqual({ kind: 'html', html: expect.stringContaining('Round 1 fold 2: no learning curve. round 1 fold 2 has no metrics') });
  });
});

describe('curvesSection', () => {
  it('has one chart per fold with metrics, per round', () => {
    const s = curvesSection([
      { round: 1, folds: [fold({ fold: 0 }), fold({ fold: 1, history: absent('none') })], report: absent('x'), oof: absent('x') },
      { round: 2, folds: [fold({ round: 2, fold: 0 })], report: absent('x'), oof: absent('x') },
    ]);
    expect(s.blocks.filter((b) => b.kind === 'chart').map((b) => (b.kind === 'chart' ? b.id : ''))).toEqual(['curve-r1-f0', 'curve-r2-f0']);
  });
});
