import { hex, mix, shade } from './color.ts';
import { faceHalfWidthAt } from './face-svg.ts';
import type { Look } from './person.ts';
import type { MaskDesign, MaskPlacement } from './photo-params.ts';
import { d, el, path } from './svg.ts';

/** Where the mask's top and bottom edges sit on the face, in head-local units. */
export function maskSpan(look: Look, placement: MaskPlacement, drop: number, heightScale = 1): { top: number; bottom: number } {
  const chin = look.face.chinY;
  if (placement === 'on') return { top: look.eyes.y + 9 + drop * 4, bottom: chin + 8 + 4 * heightScale };
  if (placement === 'under-nose') return { top: look.nose.tipY + 5 + drop * 5, bottom: chin + 20 + drop * 6 };
  return { top: look.lips.y + look.lips.height + 3 + drop * 6, bottom: chin + 30 + drop * 6 };
}

/** Defs the mask needs (pattern fill, shading gradient); ids are fixed since a photo has one mask. */
export function maskDefs(design: MaskDesign): string {
  const base = hex(design.color);
  const acc = hex(design.accent);
  let pattern = '';
  if (design.pattern === 'dots') pattern = el('circle', { cx: 5, cy: 5, r: 2.2, fill: acc });
  else if (design.pattern === 'stripes') pattern = el('rect', { x: 0, y: 0, width: 10, height: 4, fill: acc });
  else if (design.pattern === 'checks') pattern = el('rect', { x: 0, y: 0, width: 5, height: 5, fill: acc }) + el('rect', { x: 5, y: 5, width: 5, height: 5, fill: acc });
  else pattern = [[2.5, 2.5], [7.5, 7.5]].map(([x, y]) => el('circle', { cx: x, cy: y, r: 1.8, fill: acc }) + el('circle', { cx: x, cy: y, r: 0.7, fill: '#f5e9a0' })).join('');
  return (
    `<pattern id="maskPat" width="10" height="10" patternUnits="userSpaceOnUse" patternTransform="rotate(${design.pattern === 'stripes' ? 20 : 0})">${el('rect', { width: 10, height: 10, fill: base })}${pattern}</pattern>` +
    `<linearGradient id="maskShade" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#fff" stop-opacity="0.12"/><stop offset="0.55" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.22"/></linearGradient>`
  );
}

export function maskSvg(look: Look, design: MaskDesign, placement: MaskPlacement, drop: number): string {
  const { top: T, bottom: B } = maskSpan(look, placement, drop, design.heightScale);
  const a = (faceHalfWidthAt(look, T + 10) - 1) * design.widthScale;
  const b = (faceHalfWidthAt(look, T + (B - T) * 0.7) + 1) * design.widthScale;
  const ear = look.face.halfWidth - 2;
  const fill = design.style === 'patterned' ? 'url(#maskPat)' : hex(design.color);
  const edge = hex(shade(design.color, 0.78));
  const strapColor = design.style === 'surgical' ? hex(mix(design.color, [245, 245, 245], 0.5)) : hex(shade(design.color, 0.9));
  let outline: string;
  let details = '';
  if (design.style === 'surgical') {
    outline = d`M${-a} ${T + 8} Q0 ${T - 4} ${a} ${T + 8} L${b} ${B - 14} Q0 ${B + 4} ${-b} ${B - 14} Z`;
    for (const f of [0.3, 0.5, 0.7]) {
      const y = T + 6 + (B - T - 16) * f;
      const x = a + (b - a) * f;
      details += path(d`M${-x + 2} ${y} Q0 ${y + 3} ${x - 2} ${y}`, { stroke: edge, 'stroke-width': 1.6, fill: 'none', opacity: 0.8 });
    }
    details += path(d`M${-a * 0.3} ${T + 3} Q0 ${T - 1} ${a * 0.3} ${T + 3}`, { stroke: edge, 'stroke-width': 2.2, fill: 'none' });
  } else if (design.style === 'kn95') {
    outline = d`M${-a} ${T + 16} L${-a * 0.25} ${T + 3} L0 ${T - 3} L${a * 0.25} ${T + 3} L${a} ${T + 16} C${a} ${B - 22} ${b * 0.45} ${B + 2} 0 ${B + 2} C${-b * 0.45} ${B + 2} ${-a} ${B - 22} ${-a} ${T + 16} Z`;
    details += path(d`M0 ${T - 3} Q2 ${(T + B) / 2} 0 ${B + 2}`, { stroke: edge, 'stroke-width': 1.8, fill: 'none' });
    details += path(d`M0 ${T - 3} L${a * 0.25} ${T + 3} L${a} ${T + 16} C${a} ${B - 22} ${b * 0.45} ${B + 2} 0 ${B + 2} Z`, { fill: '#000', opacity: 0.08 });
  } else {
    outline = d`M${-a} ${T + 12} C${-a * 0.5} ${T - 5} ${a * 0.5} ${T - 5} ${a} ${T + 12} C${a + 2} ${B - 25} ${b * 0.5} ${B + 2} 0 ${B + 2} C${-b * 0.5} ${B + 2} ${-a - 2} ${B - 25} ${-a} ${T + 12} Z`;
    details += path(d`M0 ${T - 1} Q3 ${(T + B) / 2} 0 ${B + 2}`, { stroke: edge, 'stroke-width': 1.4, fill: 'none', opacity: 0.8 });
  }
  let straps = '';
  for (const s of [-1, 1]) {
    straps += path(d`M${s * a} ${T + 10} L${s * ear} -10`, { stroke: strapColor, 'stroke-width': 2.2, fill: 'none' });
    straps += path(d`M${s * b} ${B - 16} Q${s * (ear + 2)} ${(B - 16) * 0.5} ${s * ear} 0`, { stroke: strapColor, 'stroke-width': 2.2, fill: 'none' });
  }
  return straps + path(outline, { fill }) + details + path(outline, { fill: 'url(#maskShade)', stroke: '#000', 'stroke-opacity': 0.18, 'stroke-width': 1.2 });
}
