import { FONT } from './charts/render.ts';
import { esc } from './html.ts';
import type { Block, Section } from './section.ts';

export interface HeadlineItem {
  label: string;
  value: string;
}

/** A rendered chart's SVG, or why rendering failed. */
export type RenderedChart = { ok: true; svg: string } | { ok: false; problem: string };

export interface PageInput {
  title: string;
  /** Shown under the title, e.g. the work folder. */
  subtitle: string;
  headline: readonly HeadlineItem[];
  /** What the run lacks, one line each; an empty list prints nothing. */
  missing: readonly string[];
  sections: readonly Section[];
  charts: ReadonlyMap<string, RenderedChart>;
}

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font-family: ${FONT}; font-size: 15px; line-height: 1.45; color: #1f2328; background: #f6f7f9; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 28px 64px; background: white; min-height: 100vh; }
h1 { font-size: 26px; margin: 0 0 2px; }
h2 { font-size: 21px; margin: 40px 0 12px; padding-bottom: 4px; border-bottom: 2px solid #e4e7eb; }
h3 { font-size: 17px; margin: 26px 0 8px; }
h4 { font-size: 15px; margin: 18px 0 6px; color: #444; }
p { margin: 6px 0; }
code { font-size: 12.5px; background: #f1f3f5; padding: 1px 4px; border-radius: 3px; word-break: break-all; }
.subtitle { color: #5b636b; margin-bottom: 14px; }
nav { margin: 10px 0 4px; font-size: 14px; }
nav a { margin-right: 14px; color: #0b5cad; text-decoration: none; }
nav a:hover { text-decoration: underline; }
.headline { display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0; padding: 0; list-style: none; }
.headline li { flex: 1 1 150px; border: 1px solid #e1e4e8; border-radius: 6px; padding: 8px 12px; background: #fafbfc; }
.headline b { display: block; font-size: 20px; }
.headline span { color: #5b636b; font-size: 13px; }
.stats span { margin-right: 22px; }
.stats b { font-size: 19px; margin-right: 4px; }
.hint, .recipe { color: #4a5259; font-size: 14px; }
.missing { border-left: 4px solid #d4a72c; background: #fff8e5; padding: 6px 10px; margin: 8px 0; font-size: 14px; }
.problems { border: 1px solid #d4a72c; background: #fff8e5; border-radius: 6px; padding: 8px 14px; margin: 14px 0; }
.problems h2 { border: 0; margin: 4px 0; font-size: 17px; }
.problems li { font-size: 14px; margin: 3px 0; word-break: break-word; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13.5px; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
th { font-weight: 600; color: #444; }
table.num td + td, table.num th + th { text-align: right; padding-left: 12px; }
table.grid td:last-child, table.grid th:last-child { font-weight: 600; }
table.grid tr:last-child td { font-weight: 600; border-top: 1px solid #c9ced4; }
table.facts td:first-child { color: #5b636b; padding-right: 18px; white-space: nowrap; }
table.stages td { white-space: nowrap; }
table.facts thead { display: none; }
details { margin: 8px 0; }
details > summary { cursor: pointer; color: #0b5cad; }
details.config pre { max-height: 480px; overflow: auto; background: #f6f8fa; border: 1px solid #e1e4e8; border-radius: 6px; padding: 10px; font-size: 12.5px; }
details.list ul { max-height: 300px; overflow: auto; font-size: 13px; }
figure.chart { margin: 12px 0 18px; overflow-x: auto; }
figure.chart svg { display: block; }
figcaption { color: #5b636b; font-size: 13px; margin-top: 2px; }
.row { display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: flex-start; }
.row figure.chart { margin: 4px 0 10px; }
ul.thumbs { list-style: none; padding: 0; margin: 8px 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px; }
ul.thumbs li { border: 1px solid #e1e4e8; border-radius: 6px; padding: 6px; background: #fafbfc; font-size: 12.5px; }
ul.thumbs img, ul.thumbs .noimg { display: block; width: 100%; height: auto; border-radius: 4px; background: #eee; }
ul.thumbs .noimg { aspect-ratio: 1; display: flex; align-items: center; justify-content: center; color: #8a6d00; background: #fff8e5; }
ul.thumbs dl { display: grid; grid-template-columns: auto 1fr; gap: 1px 6px; margin: 5px 0 0; }
ul.thumbs dt { color: #5b636b; }
ul.thumbs dd { margin: 0; }
ul.thumbs dd.true { color: #1a7f37; }
ul.thumbs dd.pred { color: #cf222e; }
ul.thumbs code { display: block; margin-top: 4px; font-size: 11px; color: #5b636b; }
`;

function blockHtml(block: Block, charts: ReadonlyMap<string, RenderedChart>): string {
  switch (block.kind) {
    case 'html':
      return block.html;
    case 'row':
      return `<div class="row">${block.blocks.map((b) => blockHtml(b, charts)).join('\n')}</div>`;
    case 'chart': {
      const r = charts.get(block.id);
      const body = r === undefined ? `<p class="missing">chart ${esc(block.id)} was not rendered</p>` : r.ok ? r.svg : `<p class="missing">${esc(`chart ${block.id} could not be drawn: ${r.problem}`)}</p>`;
      const caption = block.caption ? `<figcaption>${esc(block.caption)}</figcaption>` : '';
      return `<figure class="chart" data-chart="${esc(block.id)}">${body}${caption}</figure>`;
    }
    default: {
      const never: never = block;
      throw new Error(`unknown block ${JSON.stringify(never)}`);
    }
  }
}

/** Every chart block of the sections, rows included. */
export function chartBlocks(sections: readonly Section[]): Extract<Block, { kind: 'chart' }>[] {
  const out: Extract<Block, { kind: 'chart' }>[] = [];
  const visit = (b: Block) => {
    if (b.kind === 'chart') out.push(b);
    else if (b.kind === 'row') b.blocks.forEach(visit);
  };
  sections.forEach((s) => s.blocks.forEach(visit));
  return out;
}

/** The whole page: no script, no external resource; charts are inline SVG, thumbnails files beside it. */
export function pageHtml(p: PageInput): string {
  const nav = p.sections.map((s) => `<a href="#${esc(s.id)}">${esc(s.title)}</a>`).join('');
  const headline = p.headline.map((h) => `<li><b>${esc(h.value)}</b><span>${esc(h.label)}</span></li>`).join('');
  const problems =
    p.missing.length === 0
      ? ''
      : `<section class="problems" id="missing"><h2>What is missing (${p.missing.length})</h2><ul>${p.missing.map((m) => `<li>${esc(m)}</li>`).join('')}</ul></section>`;
  const sections = p.sections.map((s) => `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>\n${s.blocks.map((b) => blockHtml(b, p.charts)).join('\n')}\n</section>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.title)}</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${esc(p.title)}</h1>
<p class="subtitle">${esc(p.subtitle)}</p>
<nav>${nav}</nav>
<ul class="headline">${headline}</ul>
${problems}
${sections}
</main>
</body>
</html>
`;
}
