import { roundHalfEven } from './crop.ts';
import type { Rng } from '@facemask/contracts';

/**
 * Random parameters of the torchvision transforms, drawn from the toolkit's Rng. The sampling rules
 * follow torchvision 0.14 (RandomResizedCrop.get_params, RandomErasing.get_params, ColorJitter)
 * and the CutMix paper's rand_bbox, with Python's round() where they round.
 */

/** A pixel rectangle: rows [top, top+height), columns [left, left+width). */
export interface Rect {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** RandomResizedCrop.get_params: 10 tries at a random area/aspect, then a centred fallback. */
export function sampleResizedCrop(
  rng: Rng,
  h: number,
  w: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
): Rect {
  const area = h * w;
  const logR0 = Math.log(ratio[0]);
  const logR1 = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logR0, logR1));
    const cw = roundHalfEven(Math.sqrt(targetArea * aspect));
    const ch = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
      return { top: rng.int(0, h - ch + 1), left: rng.int(0, w - cw + 1), height: ch, width: cw };
    }
  }
  const inRatio = w / h;
  const lo = Math.min(ratio[0], ratio[1]);
  const hi = Math.max(ratio[0], ratio[1]);
  let cw = w;
  let ch = h;
  if (inRatio < lo) ch = roundHalfEven(cw / lo);
  else if (inRatio > hi) cw = roundHalfEven(ch * hi);
  return { top: Math.floor((h - ch) / 2), left: Math.floor((w - cw) / 2), height: ch, width: cw };
}

/** RandomErasing.get_params: null when 10 tries found no rectangle smaller than the image. */
export function sampleErasing(
  rng: Rng,
  h: number,
  w: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
): Rect | null {
  const area = h * w;
  const logR0 = Math.log(ratio[0]);
  const logR1 = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const eraseArea = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logR0, logR1));
    const eh = roundHalfEven(Math.sqrt(eraseArea * aspect));
    const ew = roundHalfEven(Math.sqrt(eraseArea / aspect));
    if (!(eh < h && ew < w)) continue;
    return { top: rng.int(0, h - eh + 1), left: rng.int(0, w - ew + 1), height: eh, width: ew };
  }
  return null;
}

/** rand_bbox of the CutMix paper: a box of area ~(1 - lam) centred anywhere, clipped to the image. */
export function sampleCutmixBox(rng: Rng, h: number, w: number, lam: number): Rect {
  const cutRat = Math.sqrt(1 - lam);
  const cutW = Math.trunc(w * cutRat);
  const cutH = Math.trunc(h * cutRat);
  const cx = rng.int(0, w);
  const cy = rng.int(0, h);
  const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  const x1 = clip(cx - Math.floor(cutW / 2), w);
  const x2 = clip(cx + Math.floor(cutW / 2), w);
  const y1 = clip(cy - Math.floor(cutH / 2), h);
  const y2 = clip(cy + Math.floor(cutH / 2), h);
  return { top: y1, left: x1, height: y2 - y1, width: x2 - x1 };
}

/** ColorJitter's factor range for a strength s: uniform in [max(0, 1 - s), 1 + s]. */
export function sampleJitterFactor(rng: Rng, strength: number): number {
  return strength > 0 ? rng.uniform(Math.max(0, 1 - strength), 1 + strength) : 1;
}
