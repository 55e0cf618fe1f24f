import { describe, expect, it } from 'vitest';
import { foldSummarySchema, type EpochRecord, type FoldSummary } from '@facemask/contracts';
import { formatFoldSummary } from './summary.ts';

const record = (epoch: number): EpochRecord => ({
  epoch,
  lr: 0.001,
  trainLoss: 2 - epoch / 100,
  valLoss: 2,
  accuracy: 0.5,
  macroF1: epoch === 9 ? 0.9 : 0.3,
  perClassF1: new Array<number>(18).fill(0.3),
  imagesPerSecond: 100,
  seconds: 1,
});

const summary: FoldSummary = foldSummarySchema.parse({
  round: 1, fold: 2, complete: true, mode: 'features', epochs: 40, epochsDone: 40, bestEpoch: 9, bestMacroF1: 0.9,
  bestAccuracy: 0.5, trainSamples: 10, valSamples: 5, evalSamples: 7, imagesPerSecond: 100, seconds: 40,
});

describe('formatFoldSummary', () => {
  it('fits a long run on one screen: first epochs, the best one starred, the last ones', () => {
    const text = formatFoldSummary(summary, Array.from({ length: 40 }, (_, i) => record(i)), 'REPORT');
    const rows = text.split('\n').filter((l) => /^\s+\d+\s/.test(l));
    expect(rows.map((r) => Number(r.trim().split(/\s+/)[0]))).toEqual([1, 2, 3, 10, 35, 36, 37, 38, 39, 40]);
    expect(rows[3]).toMatch(/0\.9000\*/);
    expect(text.split('\n').filter((l) => l.trim() === '...')).toHaveLength(2);
    expect(text).toMatch(/best epoch 10: out-of-fold macro F1 0\.9000/);
    expect(text.endsWith('REPORT')).toBe(true);
  });

  it('shows every epoch of a short run', () => {
    const text = formatFoldSummary(summary, Array.from({ length: 5 }, (_, i) => record(i)), '');
    expect(text.split('\n').filter((l) => /^\s+\d+\s/.test(l))).toHaveLength(5);
  });
});
