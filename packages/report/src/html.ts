/** HTML text helpers: every piece of text that goes into the page passes through `esc`. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML element body or a quoted attribute value. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A table from already-escaped cells; `head` cells become <th>. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], opts: { className?: string; caption?: string } = {}): string {
  const cls = opts.className ? ` class="${esc(opts.className)}"` : '';
  const caption = opts.caption ? `<caption>${esc(opts.caption)}</caption>` : '';
  const thead = `<thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>`;
  const tbody = `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody>`;
  return `<table${cls}>${caption}${thead}${tbody}</table>`;
}

/** A note that something is not there, with the reason (escaped here). */
export function missingNote(text: string): string {
  return `<p class="missing">${esc(text)}</p>`;
}

/** A paragraph of escaped text. */
export function para(text: string, className?: string): string {
  return `<p${className ? ` class="${esc(className)}"` : ''}>${esc(text)}</p>`;
}

export const fmt = {
  /** 0.91234 -> "0.9123" */
  score: (v: number) => v.toFixed(4),
  pct: (v: number, digits = 1) => `${(100 * v).toFixed(digits)}%`,
  int: (v: number) => v.toLocaleString('en-US'),
  /**
   * Rounded to the unit shown last before it is split, so a carry moves up a unit: 359.6 s is
   * "6 min 0 s", never "5 min 60 s"; 59.96 s is "1 min 0 s", never "60.0 s".
   */
  seconds: (s: number) => {
    const tenths = Math.round(s * 10) / 10;
    if (tenths < 60) return `${tenths.toFixed(1)} s`;
    const whole = Math.round(s);
    if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
    const minutes = Math.round(s / 60);
    return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  },
};
