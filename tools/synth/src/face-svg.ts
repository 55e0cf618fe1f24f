import { clamp01, hex, mix, shade } from './color.ts';
import type { Look } from './person.ts';
import { d, el, n, path } from './svg.ts';

/**
 * The face in head-local units: origin at the head centre, eyes near y=-12, nose tip near 26,
 * mouth near 53, chin near 100, face half-width 60-80. Everything here is drawn in front of the
 * neck and behind the mask and the front hair.
 */
export function faceOutline(look: Look): string {
  const { halfWidth: w, jawHalfWidth: j, chinHalfWidth: c, chinY: cy } = look.face;
  return d`M${w} -20 C${w} 25 ${j + 6} 60 ${j} 72 C${j - 5} 84 ${c + 8} ${cy} ${c} ${cy + 1} Q0 ${cy + 4} ${-c} ${cy + 1} C${-c - 8} ${cy} ${-j + 5} 84 ${-j} 72 C${-j - 6} 60 ${-w} 25 ${-w} -20 C${-w} -125 ${w} -125 ${w} -20 Z`;
}

/** Approximate half-width of the face at height y, for fitting masks. */
export function faceHalfWidthAt(look: Look, y: number): number {
  const { halfWidth: w, jawHalfWidth: j, chinHalfWidth: c, chinY: cy } = look.face;
  if (y <= 25) return w;
  if (y <= 72) return w + ((j - w) * (y - 25)) / 47;
  return j + ((c - j) * clamp01((y - 72) / (cy - 72)));
}

export function earsSvg(look: Look): string {
  const w = look.face.halfWidth;
  const skin = shade(look.skin, 0.93);
  let out = '';
  for (const s of [-1, 1]) {
    out += el('ellipse', { cx: s * (w - 1), cy: -4, rx: 9, ry: 17, fill: hex(skin) });
    out += path(d`M${s * (w + 2)} -14 Q${s * (w + 7)} -4 ${s * (w + 2)} 8`, { stroke: hex(shade(look.skin, 0.75)), 'stroke-width': 1.5, fill: 'none', opacity: 0.6 });
    if (look.earrings) out += el('circle', { cx: s * (w + 1), cy: 14, r: 2.6, fill: hex(look.earrings) });
  }
  return out;
}

/** Gradients the face needs; a stubble fill fading out above the mouth, in head-local units. */
export function faceDefs(look: Look): string {
  const color = hex(shade(look.hair.color, 0.8));
  return (
    `<radialGradient id="faceShade" cx="0.5" cy="0.45" r="0.55"><stop offset="0.6" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#3a2010" stop-opacity="0.28"/></radialGradient>` +
    `<linearGradient id="stubble" gradientUnits="userSpaceOnUse" x1="0" y1="${n(look.nose.tipY - 8)}" x2="0" y2="${n(look.lips.y + 4)}"><stop offset="0" stop-color="${color}" stop-opacity="0"/><stop offset="1" stop-color="${color}" stop-opacity="1"/></linearGradient>`
  );
}

export interface FaceView {
  /** Horizontal shift of the features when the head turns a little. */
  yaw: number;
  mouthOpen: number;
}

export function faceSvg(look: Look, view: FaceView): string {
  const outline = faceOutline(look);
  const dark = hex(shade(look.skin, 0.68));
  const k = look.wrinkles;
  let out = path(outline, { fill: hex(look.skin) });
  out += path(outline, { fill: 'url(#faceShade)' });
  for (const s of [-1, 1]) {
    if (look.blush > 0) out += el('ellipse', { cx: s * look.face.halfWidth * 0.55 + view.yaw * 4, cy: 18, rx: 15, ry: 9, fill: '#e0707a', opacity: look.blush });
  }
  for (const spot of look.ageSpots) out += el('circle', { cx: spot.x, cy: spot.y, r: spot.r, fill: hex(shade(look.skin, 0.72)), opacity: 0.55 });
  out += wrinklesSvg(look, view, dark, k);
  out += beardSvg(look);
  out += eyesSvg(look, view);
  out += clearAgeSvg(look, view, dark);
  out += browsSvg(look, view);
  out += noseSvg(look, view);
  out += mouthSvg(look, view);
  return out;
}

function wrinklesSvg(look: Look, view: FaceView, dark: string, k: number): string {
  const w = look.face.halfWidth;
  const x = view.yaw * 6;
  let out = '';
  for (let i = 0; i < 3; i++) {
    const op = k * 0.9 - 0.1 - i * 0.15;
    const y = -44 - i * 7;
    if (op > 0) out += path(d`M${x - w * 0.45} ${y + 1} Q${x} ${y - 3} ${x + w * 0.45} ${y + 1}`, { stroke: dark, 'stroke-width': 1.3, fill: 'none', opacity: op });
  }
  const { y: ey, spacing, width: ew, height: eh } = look.eyes;
  for (const s of [-1, 1]) {
    const cx = s * spacing + x;
    const ox = cx + s * (ew / 2 + 3);
    const crow = k * 0.7 - 0.15;
    if (crow > 0) {
      for (const t of [-1, 0, 1]) out += path(d`M${ox} ${ey + t * 3} l${s * 8} ${t * 4 - 1}`, { stroke: dark, 'stroke-width': 1, fill: 'none', opacity: crow });
    }
    out += path(d`M${cx - ew * 0.4} ${ey + eh * 0.7 + 3} Q${cx} ${ey + eh * 0.7 + 7 + 3 * k} ${cx + ew * 0.4} ${ey + eh * 0.7 + 3}`, {
      stroke: dark, 'stroke-width': 1.2, fill: 'none', opacity: 0.05 + 0.5 * k,
    });
    const nose = look.nose;
    const lips = look.lips;
    out += path(d`M${s * (nose.width * 0.6 + 3) + x} ${nose.tipY - 4} Q${s * (nose.width * 0.6 + 14) + x} ${nose.tipY + 16} ${s * (lips.width + 6) + x} ${lips.y + 6}`, {
      stroke: dark, 'stroke-width': 1.4 + 1.4 * k, fill: 'none', opacity: 0.1 + 0.45 * k,
    });
    const mar = (k - 0.5) * 0.9;
    if (mar > 0) out += path(d`M${s * (lips.width + 2) + x} ${lips.y + 4} Q${s * (lips.width + 5) + x} ${lips.y + 15} ${s * (lips.width + 1) + x} ${lips.y + 26}`, { stroke: dark, 'stroke-width': 1.3, fill: 'none', opacity: mar });
    const jowl = (k - 0.6) * 0.8;
    if (jowl > 0) out += path(d`M${s * (look.face.jawHalfWidth - 4)} 66 Q${s * (look.face.jawHalfWidth - 10)} 82 ${s * (look.face.chinHalfWidth + 10)} ${look.face.chinY - 6}`, { stroke: dark, 'stroke-width': 1.4, fill: 'none', opacity: jowl });
  }
  return out;
}

/** The "clear" age cues around the eyes, bold enough to survive a 64 px input above a mask. */
function clearAgeSvg(look: Look, view: FaceView, dark: string): string {
  const { y: ey, spacing, width: ew, height: eh } = look.eyes;
  let out = '';
  for (const s of [-1, 1]) {
    const cx = s * spacing + view.yaw * 6;
    if (look.eyeBags > 0.01) {
      const y0 = ey + eh * 0.6 + 1;
      out += path(d`M${cx - ew * 0.5} ${y0} Q${cx} ${y0 + 9} ${cx + ew * 0.5} ${y0}`, { stroke: dark, 'stroke-width': 3.5, fill: 'none', opacity: 0.75 * look.eyeBags });
    }
    if (look.crowsFeet > 0.01) {
      const ox = cx + s * (ew / 2 + 2);
      for (const t of [-1, 0, 1]) out += path(d`M${ox} ${ey + t * 4} l${s * 12} ${t * 6 - 1}`, { stroke: dark, 'stroke-width': 2.6, fill: 'none', opacity: 0.8 * look.crowsFeet });
    }
  }
  return out;
}

function beardSvg(look: Look): string {
  const b = look.beard;
  if (b.stubble + b.moustache + b.full === 0) return '';
  const { halfWidth: w, jawHalfWidth: j, chinHalfWidth: c, chinY: cy } = look.face;
  const tip = look.nose.tipY;
  const nw = look.nose.width;
  const color = hex(shade(look.hair.color, 0.8));
  const region = d`M${w - 2} 4 C${w - 2} 38 ${j + 4} 62 ${j} 72 C${j - 5} 84 ${c + 8} ${cy} ${c} ${cy + 1} Q0 ${cy + 4} ${-c} ${cy + 1} C${-c - 8} ${cy} ${-j + 5} 84 ${-j} 72 C${-j - 4} 62 ${-(w - 2)} 38 ${-(w - 2)} 4 C${-w * 0.75} 40 ${-nw * 1.2} ${tip + 2} 0 ${tip + 5} C${nw * 1.2} ${tip + 2} ${w * 0.75} 40 ${w - 2} 4 Z`;
  let out = '';
  // The gradient (see faceDefs) fades the stubble out towards the cheeks, so it has no hard edge.
  if (b.stubble > 0) out += path(region, { fill: 'url(#stubble)', opacity: b.stubble * 0.45 });
  if (b.full > 0) {
    const chin = d`M${j - 2} 60 C${j - 5} 84 ${c + 8} ${cy + 4} ${c} ${cy + 6} Q0 ${cy + 10} ${-c} ${cy + 6} C${-c - 8} ${cy + 4} ${-j + 5} 84 ${-(j - 2)} 60 C${-j * 0.6} 72 ${-j * 0.3} ${look.lips.y + 12} 0 ${look.lips.y + 10} C${j * 0.3} ${look.lips.y + 12} ${j * 0.6} 72 ${j - 2} 60 Z`;
    out += path(chin, { fill: color, opacity: b.full * 0.8 });
  }
  if (b.moustache > 0) {
    const { y, width: lw, height: lh } = look.lips;
    out += path(d`M${-lw - 3} ${y + 1} Q0 ${y - lh - 10} ${lw + 3} ${y + 1} Q0 ${y - lh - 3} ${-lw - 3} ${y + 1} Z`, { fill: color, opacity: b.moustache * 0.85 });
  }
  return out;
}

function eyesSvg(look: Look, view: FaceView): string {
  const e = look.eyes;
  const lid = '#2a1d18';
  let out = '';
  for (const s of [-1, 1]) {
    const cx = s * e.spacing + view.yaw * 6;
    const inner = [cx - s * (e.width / 2), e.y + 1] as const;
    const outer = [cx + s * (e.width / 2), e.y - e.tilt] as const;
    const upper = d`M${inner[0]} ${inner[1]} Q${cx} ${e.y - e.height * 1.25} ${outer[0]} ${outer[1]}`;
    const shape = `${upper} ${d`Q${cx} ${e.y + e.height * 0.75} ${inner[0]} ${inner[1]} Z`}`;
    const id = s < 0 ? 'eyeL' : 'eyeR';
    out += `<clipPath id="${id}">${path(shape, {})}</clipPath>`;
    out += path(shape, { fill: '#eee7df' });
    const r = Math.max(3, e.height * 0.62);
    out += `<g clip-path="url(#${id})">${el('circle', { cx: cx + view.yaw * 2, cy: e.y - e.height * 0.08, r, fill: hex(e.iris) })}${el('circle', { cx: cx + view.yaw * 2, cy: e.y - e.height * 0.08, r: r * 0.45, fill: '#0b0807' })}${el('circle', { cx: cx + view.yaw * 2 + 1.5, cy: e.y - e.height * 0.3, r: 1.2, fill: '#fff', opacity: 0.8 })}</g>`;
    out += path(upper, { stroke: lid, 'stroke-width': 1.5 + e.lash * 1.6, fill: 'none', 'stroke-linecap': 'round' });
    if (e.doubleLid) out += path(d`M${inner[0] + s * 3} ${inner[1] - 3} Q${cx} ${e.y - e.height * 1.25 - 5} ${outer[0]} ${outer[1] - 3}`, { stroke: hex(shade(look.skin, 0.62)), 'stroke-width': 1, fill: 'none', opacity: 0.6 });
  }
  return out;
}

function browsSvg(look: Look, view: FaceView): string {
  const b = look.brows;
  const e = look.eyes;
  let out = '';
  for (const s of [-1, 1]) {
    const cx = s * e.spacing + view.yaw * 6;
    out += path(d`M${cx - s * (b.length / 2 + 1)} ${b.y + 2} Q${cx} ${b.y - b.arch} ${cx + s * (b.length / 2 + 2)} ${b.y + 1 - e.tilt * 0.5}`, {
      stroke: hex(b.color), 'stroke-width': b.thickness, fill: 'none', 'stroke-linecap': 'round', opacity: 0.92,
    });
  }
  return out;
}

function noseSvg(look: Look, view: FaceView): string {
  const { width: nw, tipY: t } = look.nose;
  const x = view.yaw * 10;
  const line = hex(shade(look.skin, 0.62));
  let out = path(d`M${x - 5} ${look.eyes.y + 8} Q${x - nw * 0.35} ${t - 14} ${x - nw * 0.45} ${t - 5}`, { stroke: hex(shade(look.skin, 0.78)), 'stroke-width': 3, fill: 'none', opacity: 0.45 });
  for (const s of [-1, 1]) out += path(d`M${x + (s * nw) / 2} ${t - 7} Q${x + s * (nw / 2 + 3)} ${t + 2} ${x + (s * nw) / 4} ${t + 3}`, { stroke: line, 'stroke-width': 1.6, fill: 'none' });
  out += path(d`M${x - nw / 4} ${t + 3} Q${x} ${t + 6} ${x + nw / 4} ${t + 3}`, { stroke: line, 'stroke-width': 1.4, fill: 'none', opacity: 0.7 });
  for (const s of [-1, 1]) out += el('ellipse', { cx: x + s * nw * 0.26, cy: t + 2.5, rx: 2.6, ry: 1.3, fill: '#3a2420', opacity: 0.55 });
  out += el('ellipse', { cx: x, cy: t - 4, rx: 3, ry: 4, fill: '#fff', opacity: 0.13 });
  return out;
}

function mouthSvg(look: Look, view: FaceView): string {
  const { y, width: lw, height: lh, color } = look.lips;
  const o = view.mouthOpen * 4;
  const x = view.yaw * 6;
  const lip = hex(color);
  let out = `<g transform="translate(${n(x)} ${n(y)})">`;
  if (o > 1) out += path(d`M${-lw * 0.85} 0 Q0 ${o * 1.6} ${lw * 0.85} 0 Z`, { fill: '#3a1a1a' }) + el('rect', { x: -lw * 0.5, y: 0, width: lw, height: Math.min(3, o * 0.6), fill: '#efeae0' });
  out += path(d`M${-lw} 0 C${-lw * 0.5} ${-lh * 0.9} ${-lw * 0.2} ${-lh * 1.1} 0 ${-lh * 0.75} C${lw * 0.2} ${-lh * 1.1} ${lw * 0.5} ${-lh * 0.9} ${lw} 0 Q0 ${lh * 0.2} ${-lw} 0 Z`, { fill: hex(shade(color, 0.9)) });
  out += path(d`M${-lw * 0.95} ${0.5 + o} Q0 ${lh * 1.5 + o * 1.3} ${lw * 0.95} ${0.5 + o} Q0 ${1 + o * 1.4} ${-lw * 0.95} ${0.5 + o} Z`, { fill: lip });
  out += path(d`M${-lw} 0 Q0 ${1.5 + o} ${lw} 0`, { stroke: hex(mix(color, [40, 20, 20], 0.6)), 'stroke-width': 1.3, fill: 'none' });
  return out + '</g>';
}
