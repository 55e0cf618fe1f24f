import { describe, expect, it } from 'vitest';
import { markItems, markTexts } from '../test-utils/svg.ts';
import { heatCells, heatmapSpec } from './heatmap.ts';
import { renderChart } from './render.ts';

describe('heatCells', () => {
  it('row-normalises the colour and keeps the counts', () => {
    const cells = heatCells(
      [
        [3, 1],
        [0, 0],
      ],
      ['a', 'b'],
    );
    expect(cells).toEqual([
      { row: 0, col: 0, trueLabel: 'a', predLabel: 'a', count: 3, share: 0.75 },
      { row: 0, col: 1, trueLabel: 'a', predLabel: 'b', count: 1, share: 0.25 },
      { row: 1, col: 0, trueLabel: 'b', predLabel: 'a', count: 0, share: 0 },
      { row: 1, col: 1, trueLabel: 'b', predLabel: 'b', count: 0, share: 0 },
    ]);
  });

  it('rejects a matrix of the wrong shape', () => {
    expect(() => heatCells([[1, 2]], ['a', 'b'])).toThrow(/not 2x2/);
  });
});

describe('heatmapSpec', () => {
  it('draws all 324 cells of an 18x18 matrix and a count on each non-empty one', async () => {
    const m = Array.from({ length: 18 }, (_, t) => Array.from({ length: 18 }, (_, p) => (t === p ? 10 + t : p === (t + 1) % 18 ? 1 : 0)));
    const labels = Array.from({ length: 18 }, (_, c) => `${c} <class>`);
    const svg = await renderChart(heatmapSpec(m, labels, labels, { name: 'cm', title: 'confusion', cell: 20 }));
    expect(markItems(svg, 'cm_cells')).toHaveLength(324);
    const texts = markTexts(svg, 'cm_counts');
    expect(texts).toHaveLength(36);
    expect(texts.map(Number).sort((a, b) => a - b)).toEqual([...new Array(18).fill(1), ...Array.from({ length: 18 }, (_, t) => 10 + t)]);
    // Vega escapes label text in the SVG.
    expect(svg).toContain('0 &lt;class&gt;');
    expect(svg).not.toContain('<class>');
  });
});
