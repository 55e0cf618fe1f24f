import type { Rng } from '@facemask/contracts';
import { hex, mix, shade } from './color.ts';
import type { Look } from './person.ts';
import { d, el, path } from './svg.ts';

/** Hair in head-local units (see face-svg.ts). The back layer sits behind the neck, the front over the face. */
export function backHairSvg(look: Look): string {
  const h = look.hair;
  const w = look.face.halfWidth;
  const color = hex(shade(h.color, 0.85));
  if (h.tied) {
    const r = 15 + h.volume * 0.5;
    return el('circle', { cx: h.part * 12, cy: -112 - h.volume, r, fill: color });
  }
  if (h.length < 0.28) return '';
  const v = h.volume;
  const bottom = 20 + h.length * 230;
  const outer = w + 10 + v;
  return path(
    d`M${-(w + v * 0.8)} -40 C${-(outer + 8)} -140 ${outer + 8} -140 ${w + v * 0.8} -40 L${outer + 4} ${bottom - 25} Q${outer} ${bottom + 4} ${w - 14} ${bottom} L${-(w - 14)} ${bottom + 3} Q${-outer} ${bottom + 6} ${-(outer + 4)} ${bottom - 22} Z`,
    { fill: color },
  );
}

export function frontHairSvg(look: Look, rng: Rng): string {
  const h = look.hair;
  const w = look.face.halfWidth;
  const v = h.tied ? Math.min(h.volume, 5) : h.volume;
  const color = hex(h.color);
  const top = -104 - v;
  const hl = -64 - 14 * h.recede;
  const temple = -56 - 36 * h.recede;
  const side = h.length > 0.28 && !h.tied ? -30 : -6 - 10 * h.recede;
  const scalp = 1 - 0.55 * Math.max(0, h.recede - 0.55) / 0.45;
  let out = '';
  const cap = d`M${-(w + 2)} ${side} C${-(w + 4 + v * 0.7)} -70 ${-(w * 0.75 + v * 0.5)} ${top} 0 ${top} C${w * 0.75 + v * 0.5} ${top} ${w + 4 + v * 0.7} -70 ${w + 2} ${side} L${w - 5} ${side} C${w - 4} ${temple + 10} ${w * 0.85} ${temple} ${w * 0.7} ${temple} C${w * 0.45} ${hl} ${w * 0.3} ${hl} 0 ${hl} C${-w * 0.3} ${hl} ${-w * 0.45} ${hl} ${-w * 0.7} ${temple} C${-w * 0.85} ${temple} ${-(w - 4)} ${temple + 10} ${-(w - 5)} ${side} Z`;
  out += path(cap, { fill: color, opacity: scalp });

  // Strands give the cap texture; grey ones grow in number with the grey fraction.
  const dark = hex(shade(h.color, 0.6));
  const light = hex(mix(h.color, [225, 225, 225], 0.6));
  const strands = 7 + Math.round(h.grey * 22);
  for (let i = 0; i < strands; i++) {
    const x0 = rng.uniform(-w * 0.8, w * 0.8);
    const isGrey = i >= 7;
    out += path(d`M${x0 * 0.3} ${top + 4} Q${x0 * 0.9} ${top + 10} ${x0} ${hl + rng.uniform(-4, 14)}`, {
      stroke: isGrey ? light : dark, 'stroke-width': rng.uniform(0.8, 1.8), fill: 'none', opacity: (isGrey ? 0.6 : 0.35) * scalp,
    });
  }
  if (h.fringe > 0 && h.recede < 0.5) {
    const fy = -46 + 12 * h.fringe * (1 - 0.6 * look.masculinity);
    let edge = '';
    const steps = 7;
    for (let i = steps; i >= 0; i--) {
      const x = -w * 0.85 + (1.7 * w * i) / steps;
      const y = fy + (i % 2 === 0 ? -1 : 1) * (2 + 4 * look.masculinity) + h.part * x * 0.15 - Math.abs(x) * 0.12;
      edge += d` L${x} ${y}`;
    }
    out += path(d`M${-w * 0.9} ${temple + 6} C${-w * 0.6} ${hl - 14} ${w * 0.6} ${hl - 14} ${w * 0.9} ${temple + 6}` + edge + ' Z', { fill: color });
  } else if (h.recede < 0.7) {
    const px = h.part * w * 0.4;
    out += path(d`M${px} ${hl + 2} Q${px * 1.1} ${top + 20} ${px * 0.6} ${top + 6}`, { stroke: dark, 'stroke-width': 1.6, fill: 'none', opacity: 0.6 });
  }
  if (h.length > 0.28 && !h.tied) {
    const low = -20 + h.length * 190;
    for (const s of [-1, 1]) {
      const inner = w - 7 - 6 * h.length + (s === Math.sign(h.part) ? 4 : 0);
      out += path(d`M${s * (w + 4 + v * 0.7)} -70 C${s * (w + 12 + v)} 0 ${s * (w + 10 + v)} ${low - 30} ${s * (w + 6 + v)} ${low} Q${s * (w - 2)} ${low + 4} ${s * inner} ${low - 12} C${s * (inner - 4)} 20 ${s * (inner - 2)} -30 ${s * (w * 0.72)} ${temple}`, { fill: color });
    }
  }
  if (look.temples > 0.01) {
    // Grey temples ("clear" cues): a light patch over each side of the hairline.
    const grey = hex(mix(h.color, [205, 205, 208], 0.8));
    for (const s of [-1, 1]) out += el('ellipse', { cx: s * (w - 2), cy: -46, rx: 10, ry: 24, fill: grey, opacity: 0.9 * look.temples });
  }
  return out;
}
