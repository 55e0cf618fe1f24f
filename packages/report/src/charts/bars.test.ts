import { describe, expect, it } from 'vitest';
import { markItems, markTexts } from '../test-utils/svg.ts';
import { barSpec, pairedBarSpec } from './bars.ts';
import { renderChart } from './render.ts';

describe('barSpec', () => {
  it('draws one bar and one label per datum', async () => {
    const data = Array.from({ length: 18 }, (_, c) => ({ label: `class ${c}`, value: c / 17, text: `${c}` }));
    const svg = await renderChart(barSpec(data, { name: 'f1', title: 'F1', axisTitle: 'F1', domain: [0, 1] }));
    expect(markItems(svg, 'f1_bars')).toHaveLength(18);
    expect(markTexts(svg, 'f1_labels')).toEqual(data.map((d) => d.text));
  });
});

describe('pairedBarSpec', () => {
  it('draws two bars per class and a count label on each non-empty one', async () => {
    const data = ['a', 'b', 'c'].flatMap((label, i) => [
      { label, group: 'train', share: 1 / 3, count: 5 },
      { label, group: 'eval', share: i === 0 ? 1 : 0, count: i === 0 ? 4 : 0 },
    ]);
    const svg = await renderChart(pairedBarSpec(data, ['train', 'eval'], { name: 'dist', title: 'shares' }));
    expect(markItems(svg, 'dist_bars')).toHaveLength(6);
    expect(markTexts(svg, 'dist_labels').sort()).toEqual(['4', '5', '5', '5']);
  });
});
