import { describe, expect, it } from 'vitest';
import type { EpochRecord } from '@facemask/contracts';
import { markItems } from '../test-utils/svg.ts';
import { curvePoints, learningCurveSpec } from './curves.ts';
import { renderChart } from './render.ts';

const history: EpochRecord[] = [0, 1, 2, 3].map((e) => ({
  epoch: e,
  lr: 0.1 / (e + 1),
  trainLoss: 2 - 0.3 * e,
  valLoss: 2.1 - 0.2 * e,
  accuracy: 0.4 + 0.1 * e,
  macroF1: 0.3 + 0.1 * e,
  perClassF1: [],
  imagesPerSecond: 10,
  seconds: 1,
}));

describe('curvePoints', () => {
  it('gives one point per epoch per curve, epochs counted from 1', () => {
    const pts = curvePoints(history);
    expect(pts).toHaveLength(5 * 4);
    expect(pts.filter((p) => p.series === 'val loss').map((p) => p.epoch)).toEqual([1, 2, 3, 4]);
    const valLoss = pts.filter((p) => p.series === 'val loss').map((p) => p.value);
    [2.1, 1.9, 1.7, 1.5].forEach((v, i) => expect(valLoss[i]).toBeCloseTo(v, 12));
    expect(pts.filter((p) => p.panel === 'lr').map((p) => p.value)).toEqual([0.1, 0.05, 0.1 / 3, 0.025]);
  });
});

describe('learningCurveSpec', () => {
  it('draws a point per epoch per curve and the best epoch once per panel', async () => {
    const svg = await renderChart(learningCurveSpec(history, 2, 'round 1, fold 0'));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(markItems(svg, 'loss_points')).toHaveLength(2 * 4);
    expect(markItems(svg, 'validation_points')).toHaveLength(2 * 4);
    expect(markItems(svg, 'lr_points')).toHaveLength(4);
    for (const panel of ['loss', 'validation', 'lr']) expect(markItems(svg, `${panel}_best`)).toHaveLength(1);
    expect(svg).toContain('round 1, fold 0');
  });

  it('leaves the best-epoch rule out when the best epoch is unknown', async () => {
    const svg = await renderChart(learningCurveSpec(history.slice(0, 1), null, 'one epoch'));
    expect(markItems(svg, 'loss_points')).toHaveLength(2);
    expect(markItems(svg, 'loss_best')).toHaveLength(0);
  });
});
