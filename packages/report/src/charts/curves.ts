import type { TopLevelSpec } from 'vega-lite';
import type { EpochRecord } from '@facemask/contracts';

/** A fold's epoch log and its best epoch (0-based, as summary.json stores it; null: unknown). */
export interface FoldCurve {
  fold: number;
  history: readonly EpochRecord[];
  bestEpoch: number | null;
}

/** Metrics on one scale share their y range across charts: the two losses, the two scores. */
export type CurveScale = 'loss' | 'score' | 'lr';

export interface CurveMetric {
  key: 'trainLoss' | 'valLoss' | 'macroF1' | 'accuracy' | 'lr';
  title: string;
  scale: CurveScale;
  format?: string;
  value(r: EpochRecord): number;
}

export const CURVE_METRICS: readonly CurveMetric[] = [
  { key: 'trainLoss', title: 'training loss', scale: 'loss', value: (r) => r.trainLoss },
  { key: 'valLoss', title: 'validation loss', scale: 'loss', value: (r) => r.valLoss },
  { key: 'macroF1', title: 'validation macro F1', scale: 'score', format: '.2f', value: (r) => r.macroF1 },
  { key: 'accuracy', title: 'validation accuracy', scale: 'score', format: '.2f', value: (r) => r.accuracy },
  { key: 'lr', title: 'learning rate', scale: 'lr', format: '.1e', value: (r) => r.lr },
];

export interface OverlayPoint {
  fold: string;
  /** 1-based, as the training log prints it. */
  epoch: number;
  value: number;
  /** The fold's best epoch (highest validation macro F1), whose checkpoint made its predictions. */
  best: boolean;
}

export const foldLabel = (fold: number) => `fold ${fold}`;

/** One point per fold per epoch of a metric. */
export function overlayPoints(metric: CurveMetric, folds: readonly FoldCurve[]): OverlayPoint[] {
  return folds.flatMap((f) => f.history.map((r) => ({ fold: foldLabel(f.fold), epoch: r.epoch + 1, value: metric.value(r), best: r.epoch === f.bestEpoch })));
}

/**
 * The y range of each scale over every fold and every metric on it, so that no fold and neither
 * loss looks better for a scale of its own. A flat range is widened to stay drawable.
 */
export function sharedDomains(folds: readonly FoldCurve[]): Record<CurveScale, [number, number]> {
  const out = {} as Record<CurveScale, [number, number]>;
  for (const scale of ['loss', 'score', 'lr'] as const) {
    const values = CURVE_METRICS.filter((m) => m.scale === scale).flatMap((m) => folds.flatMap((f) => f.history.map((r) => m.value(r))));
    const lo = values.length ? Math.min(...values) : 0;
    const hi = values.length ? Math.max(...values) : 1;
    const pad = hi > lo ? 0 : Math.max(Math.abs(hi) * 0.05, 1e-6);
    out[scale] = [lo - pad, hi + pad];
  }
  return out;
}

/**
 * One metric of every fold of a round on one chart: a line and a point per epoch per fold, the
 * fold's best epoch a larger diamond. Marks are named `<key>_points` and `<key>_best` so a test
 * can count them.
 */
export function foldOverlaySpec(metric: CurveMetric, folds: readonly FoldCurve[], domain: [number, number]): TopLevelSpec {
  const points = overlayPoints(metric, folds);
  const epochs = Math.max(2, ...folds.map((f) => f.history.length));
  const x = { field: 'epoch', type: 'quantitative' as const, title: 'epoch', scale: { domain: [1, epochs], nice: false, padding: 8 }, axis: { format: 'd', tickMinStep: 1 } };
  const y = { field: 'value', type: 'quantitative' as const, title: null, scale: { domain, nice: false, zero: false }, ...(metric.format ? { axis: { format: metric.format } } : {}) };
  const color = {
    field: 'fold',
    type: 'nominal' as const,
    scale: { domain: folds.map((f) => foldLabel(f.fold)), scheme: 'category10' },
    legend: { orient: 'bottom' as const, title: null, direction: 'horizontal' as const },
  };
  return {
    title: { text: metric.title, fontSize: 12, fontWeight: 'normal', color: '#444' },
    width: 260,
    height: 150,
    data: { values: points },
    encoding: { x, y, color },
    layer: [
      { name: `${metric.key}_lines`, mark: { type: 'line', strokeWidth: 1.5 } },
      { name: `${metric.key}_points`, mark: { type: 'point', filled: true, size: 22 } },
      { name: `${metric.key}_best`, transform: [{ filter: 'datum.best' }], mark: { type: 'point', shape: 'diamond', filled: true, size: 110, stroke: '#222', strokeWidth: 0.8 } },
    ],
  };
}
