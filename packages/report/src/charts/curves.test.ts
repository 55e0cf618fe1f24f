import { describe, expect, it } from 'vitest';
import type { EpochRecord } from '@facemask/contracts';
import { markItems } from '../test-utils/svg.ts';
import { CURVE_METRICS, foldOverlaySpec, overlayPoints, sharedDomains, type FoldCurve } from './curves.ts';
import { renderChart } from './render.ts';

const history = (shift: number, epochs = 4): EpochRecord[] =>
  Array.from({ length: epochs }, (_, e) => ({
    epoch: e,
    lr: 0.1 / (e + 1),
    trainLoss: 2 - 0.3 * e + shift,
    valLoss: 2.1 - 0.2 * e + shift,
    accuracy: 0.4 + 0.1 * e - shift,
    macroF1: 0.3 + 0.1 * e - shift,
    perClassF1: [],
    imagesPerSecond: 10,
    seconds: 1,
  }));

const folds: FoldCurve[] = [
  { fold: 0, history: history(0), bestEpoch: 3 },
  { fold: 1, history: history(0.5), bestEpoch: 2 },
  { fold: 2, history: history(0.2, 3), bestEpoch: null },
];
const metric = (key: string) => CURVE_METRICS.find((m) => m.key === key)!;

describe('overlayPoints', () => {
  it('gives one point per fold per epoch, epochs counted from 1, the best epoch marked', () => {
    const pts = overlayPoints(metric('valLoss'), folds);
    expect(pts).toHaveLength(4 + 4 + 3);
    expect(pts.filter((p) => p.fold === 'fold 1').map((p) => p.epoch)).toEqual([1, 2, 3, 4]);
    [2.6, 2.4, 2.2, 2.0].forEach((v, i) => expect(pts.filter((p) => p.fold === 'fold 1')[i]!.value).toBeCloseTo(v, 12));
    expect(pts.filter((p) => p.best).map((p) => [p.fold, p.epoch])).toEqual([
      ['fold 0', 4],
      ['fold 1', 3],
    ]);
  });
});

describe('sharedDomains', () => {
  it('spans every fold and both metrics of a scale', () => {
    const d = sharedDomains(folds);
    // losses: lowest train loss of fold 0 (2 - 0.9), highest val loss of fold 1 (2.1 + 0.5)
    expect(d.loss[0]).toBeCloseTo(1.1, 12);
    expect(d.loss[1]).toBeCloseTo(2.6, 12);
    // scores: macro F1 of fold 1 at epoch 1 (0.3 - 0.5), accuracy of fold 0 at epoch 4 (0.7)
    expect(d.score[0]).toBeCloseTo(-0.2, 12);
    expect(d.score[1]).toBeCloseTo(0.7, 12);
    expect(d.lr).toEqual([0.025, 0.1]);
  });

  it('widens a flat range so the chart can draw it', () => {
    const flat = sharedDomains([{ fold: 0, history: history(0, 1), bestEpoch: 0 }]);
    expect(flat.lr[0]).toBeLessThan(0.1);
    expect(flat.lr[1]).toBeGreaterThan(0.1);
  });
});

describe('foldOverlaySpec', () => {
  it('draws every fold on one chart: a point per fold per epoch, a diamond per known best epoch, the shared y range', async () => {
    const m = metric('macroF1');
    const spec = foldOverlaySpec(m, folds, [-0.2, 0.7]);
    expect(JSON.stringify(spec)).toContain('"domain":[-0.2,0.7]');
    const svg = await renderChart(spec);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(markItems(svg, 'macroF1_points')).toHaveLength(11);
    expect(markItems(svg, 'macroF1_best')).toHaveLength(2);
    for (const f of ['fold 0', 'fold 1', 'fold 2']) expect(svg).toContain(f);
    expect(svg).toContain('validation macro F1');
  });
});
