import { describe, expect, it } from 'vitest';
import type { EpochRecord, FoldSummary } from '@facemask/contracts';
import type { FoldTraining } from '../inputs.ts';
import { absent, loaded } from '../loaded.ts';
import type { Block } from '../section.ts';
import { curvesSection, foldTableHtml, roundCurveBlocks } from './curves.ts';

const rec = (epoch: number): EpochRecord => ({ epoch, lr: 0.1, trainLoss: 1, valLoss: 1, accuracy: 0.5, macroF1: 0.4, perClassF1: [], imagesPerSecond: 10, seconds: 1 });
const summary: FoldSummary = {
  round: 1, fold: 2, complete: false, mode: 'finetune', epochs: 10, epochsDone: 4, bestEpoch: 2, bestMacroF1: 0.61234, bestAccuracy: 0.7, trainSamples: 1200, valSamples: 300, evalSamples: 50, imagesPerSecond: 12.34, seconds: 75,
};
const fold = (over: Partial<FoldTraining> = {}): FoldTraining => ({ round: 1, fold: 2, dir: '/w/train/round1/fold-2', history: loaded([0, 1, 2, 3].map(rec)), summary: loaded(summary), ...over });

/** Chart ids in page order, rows opened. */
const chartIds = (blocks: readonly Block[]): string[] => blocks.flatMap((b) => (b.kind === 'chart' ? [b.id] : b.kind === 'row' ? chartIds(b.blocks) : []));

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

describe('roundCurveBlocks', () => {
  it('one chart per metric with every fold on it, the losses and the scores each on a shared y range', () => {
    const blocks = roundCurveBlocks(1, [fold({ fold: 0 }), fold({ fold: 1 })]);
    expect(chartIds(blocks)).toEqual(['trainLoss', 'valLoss', 'macroF1', 'accuracy', 'lr'].map((m) => `curves-r1-${m}`));
    const specs = JSON.stringify(blocks);
    expect(specs).toContain('"fold":"fold 0"');
    expect(specs).toContain('"fold":"fold 1"');
  });

  it('says what is missing for a fold without metrics, and draws the others', () => {
    const blocks = roundCurveBlocks(1, [fold({ fold: 0 }), fold({ fold: 1, history: absent('round 1 fold 1 has no metrics: /w/train/round1/fold-1/metrics.jsonl is missing or empty') })]);
    expect(chartIds(blocks)).toHaveLength(5);
    expect(JSON.stringify(blocks)).not.toContain('"fold":"fold 1"');
    expect(blocks).toContainEqual({ kind: 'html', html: expect.stringContaining('Round 1 fold 1: no learning curve. round 1 fold 1 has no metrics') });
  });
});

describe('curvesSection', () => {
  it('has the metric charts per round, none for a round without metrics', () => {
    const s = curvesSection([
      { round: 1, folds: [fold({ fold: 0 }), fold({ fold: 1, history: absent('none') })], report: absent('x'), oof: absent('x') },
      { round: 2, folds: [fold({ round: 2, fold: 0, history: absent('none') })], report: absent('x'), oof: absent('x') },
    ]);
    expect(chartIds(s.blocks)).toEqual(['trainLoss', 'valLoss', 'macroF1', 'accuracy', 'lr'].map((m) => `curves-r1-${m}`));
  });
});
