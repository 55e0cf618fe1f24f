import { Rng } from '@facemask/contracts';
import { hex, mix, shade } from './color.ts';
import { earsSvg, faceDefs, faceSvg } from './face-svg.ts';
import { backHairSvg, frontHairSvg } from './hair-svg.ts';
import { maskDefs, maskSvg } from './mask-svg.ts';
import type { Look, Person } from './person.ts';
import type { PhotoParams } from './photo-params.ts';
import { d, el, n, path } from './svg.ts';

/** The scene is designed on a 384x512 canvas and scaled (cropping, never stretching) to the output size. */
export const CANVAS_WIDTH = 384;
export const CANVAS_HEIGHT = 512;
export const HEAD_X = 192;
export const HEAD_Y = 228;
/** Head-local units to canvas pixels: a selfie framing, face about 45% of the width. */
export const HEAD_SCALE = 1.22;

export function sceneSvg(seed: number, person: Person, p: PhotoParams, width: number, height: number): string {
  const look = person.look;
  const bg = p.background;
  const rad = (bg.angle * Math.PI) / 180;
  const lrad = (p.light.angle * Math.PI) / 180;
  const grad = (id: string, ang: number, stops: string): string =>
    `<linearGradient id="${id}" x1="${n(0.5 - Math.cos(ang) / 2)}" y1="${n(0.5 - Math.sin(ang) / 2)}" x2="${n(0.5 + Math.cos(ang) / 2)}" y2="${n(0.5 + Math.sin(ang) / 2)}">${stops}</linearGradient>`;
  const defs =
    grad('bg', rad, `<stop offset="0" stop-color="${hex(bg.from)}"/><stop offset="1" stop-color="${hex(bg.to)}"/>`) +
    grad('light', lrad, `<stop offset="0" stop-color="#000" stop-opacity="${n(p.light.strength)}"/><stop offset="0.6" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#fff" stop-opacity="${n(p.light.strength * 0.3)}"/>`) +
    faceDefs(look) +
    (p.mask ? maskDefs(p.mask.design) : '');
  let body = el('rect', { x: -20, y: -20, width: CANVAS_WIDTH + 40, height: CANVAS_HEIGHT + 40, fill: 'url(#bg)' });
  for (const q of bg.panels) body += el('rect', { x: q.x, y: q.y, width: q.w, height: q.h, fill: hex(q.color), opacity: 0.85 });
  // Strands must look the same in all seven photos, so their stream restarts per photo.
  const detail = Rng.derive(seed, 'detail', person.id);
  const head =
    backHairSvg(look) +
    bodySvg(look) +
    earsSvg(look) +
    faceSvg(look, { yaw: p.yaw, mouthOpen: p.mouthOpen }) +
    (p.mask ? maskSvg(look, p.mask.design, p.mask.placement, p.mask.drop) : '') +
    frontHairSvg(look, detail) +
    glassesSvg(look, p.yaw);
  body += `<g transform="translate(${n(HEAD_X + p.dx)} ${n(HEAD_Y + p.dy)}) rotate(${n(p.rotation)}) scale(${n(p.scale * HEAD_SCALE)})">${head}</g>`;
  body += el('rect', { x: -20, y: -20, width: CANVAS_WIDTH + 40, height: CANVAS_HEIGHT + 40, fill: 'url(#light)' });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${CANVAS_WIDTH} ${CANVAS_HEIGHT}" preserveAspectRatio="xMidYMid slice"><defs>${defs}</defs>${body}</svg>`;
}

function bodySvg(look: Look): string {
  const w = look.face.halfWidth;
  const nw = w * 0.42 + 4 * look.masculinity;
  const sw = 140 + 25 * look.masculinity;
  const skin = shade(look.skin, 0.9);
  const cloth = look.clothes.color;
  let out = el('rect', { x: -nw, y: 40, width: 2 * nw, height: 160, fill: hex(skin) });
  out += el('ellipse', { cx: 0, cy: look.face.chinY + 2, rx: nw, ry: 14, fill: '#2a1608', opacity: 0.22 });
  if (look.wrinkles > 0.6) {
    for (const y of [128, 142]) out += path(d`M${-nw * 0.7} ${y} Q0 ${y + 5} ${nw * 0.7} ${y}`, { stroke: hex(shade(look.skin, 0.7)), 'stroke-width': 1.2, fill: 'none', opacity: (look.wrinkles - 0.6) * 0.9 });
  }
  out += path(d`M${-sw} 330 C${-sw} 220 ${-sw + 30} 178 ${-nw - 22} 160 L${nw + 22} 160 C${sw - 30} 178 ${sw} 220 ${sw} 330 Z`, { fill: hex(cloth) });
  const collar = look.clothes.collar;
  if (collar === 'v') out += path(d`M${-nw - 6} 159 L0 215 L${nw + 6} 159 Z`, { fill: hex(skin) });
  else out += path(d`M${-nw - 6} 159 Q0 ${collar === 'round' ? 190 : 180} ${nw + 6} 159 Z`, { fill: hex(skin) });
  if (collar === 'shirt') {
    const c = hex(mix(cloth, [255, 255, 255], 0.25));
    for (const s of [-1, 1]) out += path(d`M${s * (nw + 4)} 150 L${s * 2} 196 L${s * (nw + 34)} 186 Z`, { fill: c, stroke: hex(shade(cloth, 0.7)), 'stroke-width': 1 });
  }
  out += path(d`M${-sw + 40} 260 Q${-sw + 50} 220 ${-nw - 30} 190`, { stroke: hex(shade(cloth, 0.75)), 'stroke-width': 2, fill: 'none', opacity: 0.5 });
  return out;
}

function glassesSvg(look: Look, yaw: number): string {
  const g = look.glasses;
  if (!g) return '';
  const e = look.eyes;
  const stroke = hex(g.color);
  let out = '';
  for (const s of [-1, 1]) {
    const cx = s * e.spacing + yaw * 6;
    const rw = e.width / 2 + 6;
    out += el('rect', { x: cx - rw, y: e.y - 12, width: 2 * rw, height: 22, rx: g.round ? 11 : 4, fill: '#ffffff', 'fill-opacity': 0.08, stroke, 'stroke-width': 2.4 });
    out += path(d`M${cx + s * rw} ${e.y - 7} L${s * (look.face.halfWidth + 1)} ${e.y - 9}`, { stroke, 'stroke-width': 2.2, fill: 'none' });
  }
  out += path(d`M${-e.spacing + e.width / 2 + 6 + yaw * 6} ${e.y - 5} Q${yaw * 6} ${e.y - 10} ${e.spacing - e.width / 2 - 6 + yaw * 6} ${e.y - 5}`, { stroke, 'stroke-width': 2, fill: 'none' });
  return out;
}
