import { parse, View } from 'vega';
import { compile, type Config, type TopLevelSpec } from 'vega-lite';

/** One font stack for the page and its charts, so labels look alike; DejaVu is what Debian ships. */
export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";

/** Chart look shared by every figure: small type, light grid, no outer frame. */
export const CHART_CONFIG: Config = {
  font: FONT,
  background: 'white',
  view: { stroke: null },
  axis: { labelLimit: 0, labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', gridColor: '#e8e8e8', domainColor: '#888', tickColor: '#888' },
  legend: { labelLimit: 0, labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal' },
  title: { fontSize: 13, fontWeight: 600, anchor: 'start', offset: 10 },
};

/**
 * Renders a Vega-Lite spec to an SVG string in Node: no DOM, no canvas (Vega estimates text widths
 * without one), no network (specs carry their data inline).
 */
export async function renderChart(spec: TopLevelSpec): Promise<string> {
  const vega = compile({ ...spec, config: { ...CHART_CONFIG, ...spec.config } } as TopLevelSpec).spec;
  const view = new View(parse(vega), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
