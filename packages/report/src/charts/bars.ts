import type { TopLevelSpec } from 'vega-lite';

export interface BarDatum {
  label: string;
  value: number;
  /** Text written at the end of the bar. */
  text: string;
}

export interface BarOptions {
  /** Mark names: `<name>_bars` (one per datum) and `<name>_labels`. */
  name: string;
  title: string;
  axisTitle: string;
  /** Fixed value axis, e.g. [0, 1] for F1; null: from the data. */
  domain?: [number, number] | null;
  format?: string;
  color?: string;
}

/** Horizontal bars, one per datum, in the given order (class names read best on the y axis). */
export function barSpec(data: readonly BarDatum[], opts: BarOptions): TopLevelSpec {
  const y = { field: 'label', type: 'ordinal' as const, sort: data.map((d) => d.label), title: null };
  const x = {
    field: 'value',
    type: 'quantitative' as const,
    title: opts.axisTitle,
    ...(opts.domain ? { scale: { domain: opts.domain } } : {}),
    ...(opts.format ? { axis: { format: opts.format } } : {}),
  };
  return {
    title: opts.title,
    width: 460,
    height: { step: 17 },
    data: { values: [...data] },
    encoding: { y, x },
    layer: [
      { name: `${opts.name}_bars`, mark: { type: 'bar', color: opts.color ?? '#4c78a8' } },
      { name: `${opts.name}_labels`, mark: { type: 'text', align: 'left', dx: 3, fontSize: 10, color: '#333' }, encoding: { text: { field: 'text' } } },
    ],
  };
}

export interface PairDatum {
  label: string;
  /** Which of the two distributions, e.g. "train labels" or "eval predicted". */
  group: string;
  share: number;
  count: number;
}

/** Two distributions over the same classes as grouped horizontal bars of shares (`<name>_bars`). */
export function pairedBarSpec(data: readonly PairDatum[], groups: readonly [string, string], opts: { name: string; title: string }): TopLevelSpec {
  const labels = [...new Set(data.map((d) => d.label))];
  return {
    title: opts.title,
    width: 460,
    // With yOffset the step is the height of one bar of a pair.
    height: { step: 10 },
    data: { values: [...data] },
    encoding: {
      y: { field: 'label', type: 'ordinal', sort: labels, title: null },
      yOffset: { field: 'group', type: 'nominal', sort: [...groups], scale: { paddingInner: 0.05 } },
      x: { field: 'share', type: 'quantitative', title: 'share of photos', axis: { format: '.0%' } },
      color: { field: 'group', type: 'nominal', scale: { domain: [...groups], range: ['#9ecae9', '#f58518'] }, legend: { orient: 'top', title: null } },
    },
    layer: [
      { name: `${opts.name}_bars`, mark: { type: 'bar' } },
      {
        name: `${opts.name}_labels`,
        transform: [{ filter: 'datum.count > 0' }],
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 9, color: '#444' },
        encoding: { text: { field: 'count', type: 'quantitative' }, color: { value: '#444' } },
      },
    ],
  };
}
