import type { TopLevelSpec } from 'vega-lite';

export interface HeatCell {
  row: number;
  col: number;
  /** Axis labels of the true (row) and predicted (column) class. */
  trueLabel: string;
  predLabel: string;
  count: number;
  /** count / the row's total: the share of the true class predicted as this column (0 for an empty row). */
  share: number;
}

/** Every cell of a confusion matrix (rows = true class), row-normalised for the colour. */
export function heatCells(matrix: readonly (readonly number[])[], rowLabels: readonly string[], colLabels: readonly string[] = rowLabels): HeatCell[] {
  if (matrix.length !== rowLabels.length || matrix.some((r) => r.length !== colLabels.length)) {
    throw new Error(`confusion matrix is not ${rowLabels.length}x${colLabels.length}`);
  }
  return matrix.flatMap((r, row) => {
    const total = r.reduce((s, v) => s + v, 0);
    return r.map((count, col) => ({ row, col, trueLabel: rowLabels[row]!, predLabel: colLabels[col]!, count, share: total === 0 ? 0 : count / total }));
  });
}

export interface HeatmapOptions {
  /** Mark names: `<name>_cells` (one rect per cell) and `<name>_counts` (a number on every non-empty cell). */
  name: string;
  title: string;
  cell: number;
  rowTitle?: string;
  colTitle?: string;
  /** Draw the colour legend (default true); small matrices beside a big one can leave it out. */
  legend?: boolean;
}

/**
 * A confusion matrix as a heat map: colour = row share (so small classes show as plainly as large
 * ones), the count written in every non-empty cell.
 */
export function heatmapSpec(matrix: readonly (readonly number[])[], rowLabels: readonly string[], colLabels: readonly string[], opts: HeatmapOptions): TopLevelSpec {
  const cells = heatCells(matrix, rowLabels, colLabels);
  const x = { field: 'predLabel', type: 'ordinal' as const, sort: [...colLabels], title: opts.colTitle ?? 'predicted', axis: { labelAngle: 0, orient: 'top' as const, domain: false, ticks: false } };
  const y = { field: 'trueLabel', type: 'ordinal' as const, sort: [...rowLabels], title: opts.rowTitle ?? 'true', axis: { domain: false, ticks: false } };
  return {
    title: opts.title,
    width: opts.cell * colLabels.length,
    height: opts.cell * rowLabels.length,
    data: { values: cells },
    encoding: { x, y },
    layer: [
      {
        name: `${opts.name}_cells`,
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          // An empty cell stays near-white so the eye finds the confusions, not the blue floor of the scheme.
          color: {
            condition: { test: 'datum.count === 0', value: '#f7f8fa' },
            field: 'share',
            type: 'quantitative',
            scale: { scheme: 'blues', domain: [0, 1] },
            legend: opts.legend === false ? null : { title: 'share of true class', format: '.0%', orient: 'right', gradientLength: Math.min(160, opts.cell * rowLabels.length) },
          },
        },
      },
      {
        name: `${opts.name}_counts`,
        transform: [{ filter: 'datum.count > 0' }],
        mark: { type: 'text', fontSize: Math.max(9, Math.min(13, Math.round(opts.cell * 0.38))) },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.share > 0.55', value: 'white' }, value: '#222' },
        },
      },
    ],
  };
}
