/** Items drawn by the Vega mark named `<name>_marks` in an SVG string (paths for symbols and rects, lines for rules, text for text). */
export function markItems(svg: string, name: string): string[] {
  const out: string[] = [];
  const open = new RegExp(`<g class="mark-(\\w+) role-mark ${name}_marks"[^>]*>`, 'g');
  for (const m of svg.matchAll(open)) {
    const start = m.index + m[0].length;
    const body = svg.slice(start, svg.indexOf('</g>', start));
    const tag = m[1] === 'text' ? 'text' : m[1] === 'rule' ? 'line' : 'path';
    out.push(...(body.match(new RegExp(`<${tag}[\\s>]`, 'g')) ?? []));
  }
  return out;
}

/** The text of every `<text>` item of a named mark, in drawing order. */
export function markTexts(svg: string, name: string): string[] {
  const m = new RegExp(`<g class="mark-text role-mark ${name}_marks"[^>]*>`).exec(svg);
  if (!m) return [];
  const start = m.index + m[0].length;
  const body = svg.slice(start, svg.indexOf('</g>', start));
  return [...body.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]!);
}
