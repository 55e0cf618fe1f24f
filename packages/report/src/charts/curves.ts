import type { TopLevelSpec } from 'vega-lite';
import type { EpochRecord } from '@facemask/contracts';

export type CurvePanel = 'loss' | 'validation' | 'lr';

export interface CurvePoint {
  panel: CurvePanel;
  /** 1-based, as the training log prints it. */
  epoch: number;
  series: string;
  value: number;
}

const SERIES: { panel: CurvePanel; series: string; value: (r: EpochRecord) => number }[] = [
  { panel: 'loss', series: 'train loss', value: (r) => r.trainLoss },
  { panel: 'loss', series: 'val loss', value: (r) => r.valLoss },
  { panel: 'validation', series: 'val macro F1', value: (r) => r.macroF1 },
  { panel: 'validation', series: 'val accuracy', value: (r) => r.accuracy },
  { panel: 'lr', series: 'learning rate', value: (r) => r.lr },
];

/** The five curves of a fold's epoch log as long-format points: one per epoch per curve. */
export function curvePoints(history: readonly EpochRecord[]): CurvePoint[] {
  return SERIES.flatMap((s) => history.map((r) => ({ panel: s.panel, epoch: r.epoch + 1, series: s.series, value: s.value(r) })));
}

const PANELS: { panel: CurvePanel; title: string; colors: string[]; format?: string }[] = [
  { panel: 'loss', title: 'loss', colors: ['#4c78a8', '#e45756'] },
  { panel: 'validation', title: 'validation', colors: ['#54a24b', '#b279a2'], format: '.2f' },
  { panel: 'lr', title: 'learning rate', colors: ['#72b7b2'], format: '.1e' },
];

/**
 * Three panels side by side (loss, validation metrics, learning rate) against the epoch, each
 * curve a line with a point per epoch, the best epoch (0-based, as summary.json stores it) a
 * dashed rule. Marks are named `<panel>_points`, `<panel>_best` so a test can count them.
 */
export function learningCurveSpec(history: readonly EpochRecord[], bestEpoch: number | null, title: string): TopLevelSpec {
  const points = curvePoints(history);
  const epochs = history.length;
  const x = {
    field: 'epoch',
    type: 'quantitative' as const,
    title: 'epoch',
    scale: { domain: [1, Math.max(2, epochs)], nice: false, padding: 8 },
    axis: { format: 'd', tickMinStep: 1 },
  };
  return {
    title,
    hconcat: PANELS.map(({ panel, title: panelTitle, colors, format }) => {
      const series = [...new Set(points.filter((p) => p.panel === panel).map((p) => p.series))];
      const color = {
        field: 'series',
        type: 'nominal' as const,
        scale: { domain: series, range: colors },
        legend: { orient: 'bottom' as const, title: null, direction: 'horizontal' as const },
      };
      const y = { field: 'value', type: 'quantitative' as const, title: null, scale: { zero: false }, ...(format ? { axis: { format } } : {}) };
      return {
        name: panel,
        width: 210,
        height: 140,
        title: { text: panelTitle, fontSize: 12, fontWeight: 'normal' as const, color: '#444' },
        data: { values: points.filter((p) => p.panel === panel) },
        layer: [
          { name: `${panel}_lines`, mark: { type: 'line' as const, strokeWidth: 1.5 }, encoding: { x, y, color } },
          { name: `${panel}_points`, mark: { type: 'point' as const, filled: true, size: 28 }, encoding: { x, y, color } },
          ...(bestEpoch === null
            ? []
            : [
                {
                  name: `${panel}_best`,
                  data: { values: [{ epoch: bestEpoch + 1 }] },
                  mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#f58518' },
                  encoding: { x: { field: 'epoch', type: 'quantitative' as const } },
                },
                {
                  name: `${panel}_bestlabel`,
                  data: { values: [{ epoch: bestEpoch + 1 }] },
                  mark: { type: 'text' as const, text: 'best', color: '#c45a00', fontSize: 10, dx: 3, align: 'left' as const, baseline: 'top' as const },
                  encoding: { x: { field: 'epoch', type: 'quantitative' as const }, y: { value: 1 } },
                },
              ]),
        ],
      };
    }),
    resolve: { scale: { color: 'independent', y: 'independent' }, legend: { color: 'independent' } },
  };
}
