/** Tiny SVG string helpers: numbers rounded so the markup is short and stable across runs. */
export function n(v: number): string {
  return (Math.round(v * 100) / 100).toString();
}

/** Path data from a template: numbers are rounded, everything else kept. */
export function d(strings: TemplateStringsArray, ...values: (number | string)[]): string {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += (typeof v === 'number' ? n(v) : v) + (strings[i + 1] ?? '');
  });
  return out;
}

export function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}="${typeof v === 'number' ? n(v) : v}"`)
    .join(' ');
}

export function el(tag: string, a: Record<string, string | number | undefined>): string {
  return `<${tag} ${attrs(a)}/>`;
}

export function path(dAttr: string, a: Record<string, string | number | undefined>): string {
  return el('path', { d: dAttr, ...a });
}
