import type { Rng } from '@facemask/contracts';
import type { JitterOp, SamplePlan } from './plan.ts';
import type { Rect } from './params.ts';
import { resizeU8 } from './resize.ts';

/**
 * Per-photo pixel work in plain typed-array loops. tfjs' cpu backend runs broadcasting element-wise
 * ops and reverse through generic index arithmetic (a 32x224x224x3 reverse took 14 s, a broadcast
 * multiply 1-2 s, see README), so the augmenter computes here and hands tfjs one finished tensor:
 * fast on every backend and bitwise identical across them.
 */

const C = 3;
/** torchvision's rgb_to_grayscale weights. */
const GRAY_R = 0.2989;
const GRAY_G = 0.587;
const GRAY_B = 0.114;
const UNIT = Float32Array.from({ length: 256 }, (_, v) => Math.fround(v / 255));

/** Rows [top, top+height) and columns [left, left+width) of an HWC image; the rect must lie inside. */
export function cropU8(src: Uint8Array, h: number, w: number, channels: number, r: Rect): Uint8Array {
  if (r.top < 0 || r.left < 0 || r.height <= 0 || r.width <= 0 || r.top + r.height > h || r.left + r.width > w) {
    throw new RangeError(`cropU8: rect ${JSON.stringify(r)} is not inside a ${h}x${w} image`);
  }
  const out = new Uint8Array(r.height * r.width * channels);
  const rowBytes = r.width * channels;
  for (let y = 0; y < r.height; y++) {
    const s = ((r.top + y) * w + r.left) * channels;
    out.set(src.subarray(s, s + rowBytes), y * rowBytes);
  }
  return out;
}

/** Left-right mirror of an HWC image into a new buffer. */
export function flipU8(src: Uint8Array, h: number, w: number, channels: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let y = 0; y < h; y++) {
    const row = y * w * channels;
    for (let x = 0; x < w; x++) {
      const s = row + x * channels;
      const d = row + (w - 1 - x) * channels;
      for (let c = 0; c < channels; c++) out[d + c] = src[s + c]!;
    }
  }
  return out;
}

/** Mirrors HWC float rows (one or more stacked photos of width w) from src into dst. */
export function flipF32(src: Float32Array, w: number, dst: Float32Array): Float32Array {
  const rows = src.length / (w * C);
  for (let y = 0; y < rows; y++) {
    const row = y * w * C;
    for (let x = 0; x < w; x++) {
      const s = row + x * C;
      const d = row + (w - 1 - x) * C;
      dst[d] = src[s]!;
      dst[d + 1] = src[s + 1]!;
      dst[d + 2] = src[s + 2]!;
    }
  }
  return dst;
}

/**
 * RandomResizedCrop + RandomHorizontalFlip as torchvision runs them on PIL images: crop, PIL
 * bilinear resize to the output size, mirror. Without a crop the photo is only resized (if needed).
 */
export function geometryU8(src: Uint8Array, h: number, w: number, s: SamplePlan, oh: number, ow: number): Uint8Array {
  let img = src;
  let [ih, iw] = [h, w];
  if (s.crop) {
    img = cropU8(src, h, w, C, s.crop);
    [ih, iw] = [s.crop.height, s.crop.width];
  }
  if (ih !== oh || iw !== ow) img = resizeU8(img, ih, iw, C, oh, ow);
  return s.flip ? flipU8(img, oh, ow, C) : img;
}

/** uint8 -> [0, 1] float32 (ToTensor). */
export function toUnit(src: Uint8Array, dst: Float32Array): void {
  for (let i = 0; i < src.length; i++) dst[i] = UNIT[src[i]!]!;
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** ColorJitter on a [0, 1] HWC photo, in place: torchvision's _blend(img, other, f) = clamp(f*img + (1-f)*other). */
export function colorJitter(x: Float32Array, order: readonly JitterOp[], f: Record<JitterOp, number>): void {
  const n = x.length;
  for (const op of order) {
    const k = f[op];
    if (op === 'hue') {
      if (k !== 0) adjustHue(x, k);
      continue;
    }
    if (k === 1) continue;
    if (op === 'brightness') {
      for (let i = 0; i < n; i++) x[i] = clamp01(k * x[i]!);
    } else if (op === 'contrast') {
      let sum = 0;
      for (let i = 0; i < n; i += C) sum += GRAY_R * x[i]! + GRAY_G * x[i + 1]! + GRAY_B * x[i + 2]!;
      const other = (1 - k) * (sum / (n / C));
      for (let i = 0; i < n; i++) x[i] = clamp01(k * x[i]! + other);
    } else {
      for (let i = 0; i < n; i += C) {
        const g = (1 - k) * (GRAY_R * x[i]! + GRAY_G * x[i + 1]! + GRAY_B * x[i + 2]!);
        x[i] = clamp01(k * x[i]! + g);
        x[i + 1] = clamp01(k * x[i + 1]! + g);
        x[i + 2] = clamp01(k * x[i + 2]! + g);
      }
    }
  }
}

/**
 * torchvision's adjust_hue on a [0, 1] HWC photo, in place: RGB -> HSV (its _rgb2hsv), hue
 * shifted by `shift` turns modulo 1, back to RGB (its _hsv2rgb).
 */
export function adjustHue(x: Float32Array, shift: number): void {
  for (let i = 0; i < x.length; i += C) {
    const r = x[i]!;
    const g = x[i + 1]!;
    const b = x[i + 2]!;
    const v = Math.max(r, g, b);
    const cr = v - Math.min(r, g, b);
    if (cr === 0) continue; // grey: no hue to shift
    const s = cr / v;
    let h: number;
    if (v === r) h = (v - b) / cr - (v - g) / cr;
    else if (v === g) h = 2 + (v - r) / cr - (v - b) / cr;
    else h = 4 + (v - g) / cr - (v - r) / cr;
    h = (((h / 6 + 1) % 1) + shift) % 1;
    if (h < 0) h += 1;
    const h6 = h * 6;
    const sector = Math.floor(h6);
    const fr = h6 - sector;
    const p = clamp01(v * (1 - s));
    const q = clamp01(v * (1 - s * fr));
    const t = clamp01(v * (1 - s * (1 - fr)));
    // Plain stores per sector: this runs for every pixel of every jittered photo.
    switch (sector % 6) {
      case 0: x[i] = v; x[i + 1] = t; x[i + 2] = p; break;
      case 1: x[i] = q; x[i + 1] = v; x[i + 2] = p; break;
      case 2: x[i] = p; x[i + 1] = v; x[i + 2] = t; break;
      case 3: x[i] = p; x[i + 1] = q; x[i + 2] = v; break;
      case 4: x[i] = t; x[i + 1] = p; x[i + 2] = v; break;
      default: x[i] = v; x[i + 1] = p; x[i + 2] = q;
    }
  }
}

/** Adds N(0, std^2) noise (Marsaglia's polar method, both outputs used) to every value, in place, unclamped. */
export function addGaussianNoise(x: Float32Array, std: number, rng: Rng): void {
  for (let i = 0; i < x.length; i += 2) {
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * rng.next() - 1;
      v = 2 * rng.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = std * Math.sqrt((-2 * Math.log(s)) / s);
    x[i] = x[i]! + f * u;
    if (i + 1 < x.length) x[i + 1] = x[i + 1]! + f * v;
  }
}

/** (x - mean) / std per channel, in place, float32 steps like torchvision's Normalize. */
export function normalizeInPlace(x: Float32Array, mean: readonly number[], std: readonly number[]): void {
  const f = Math.fround;
  const m = mean.map(f);
  const s = std.map(f);
  for (let i = 0; i < x.length; i += C) {
    for (let c = 0; c < C; c++) x[i + c] = f(x[i + c]! - m[c]!) / s[c]!;
  }
}

/** Sets a rectangle of an HWC photo to value (RandomErasing after Normalize uses 0). */
export function fillRect(x: Float32Array, w: number, r: Rect, value = 0): void {
  for (let y = r.top; y < r.top + r.height; y++) x.fill(value, (y * w + r.left) * C, (y * w + r.left + r.width) * C);
}

/** out[i] = lam * x[i] + (1 - lam) * x[perm[i]] for every photo of an NHWC batch. */
export function mixupBatch(x: Float32Array, perPhoto: number, perm: readonly number[], lam: number): Float32Array {
  const out = new Float32Array(x.length);
  const mu = 1 - lam;
  perm.forEach((j, i) => {
    const a = i * perPhoto;
    const b = j * perPhoto;
    for (let k = 0; k < perPhoto; k++) out[a + k] = lam * x[a + k]! + mu * x[b + k]!;
  });
  return out;
}

/** Photo i keeps its pixels outside r and takes photo perm[i]'s inside r (CutMix). */
export function cutmixBatch(x: Float32Array, h: number, w: number, perm: readonly number[], r: Rect): Float32Array {
  const out = x.slice();
  const perPhoto = h * w * C;
  perm.forEach((j, i) => {
    for (let y = r.top; y < r.top + r.height; y++) {
      const off = (y * w + r.left) * C;
      out.set(x.subarray(j * perPhoto + off, j * perPhoto + off + r.width * C), i * perPhoto + off);
    }
  });
  return out;
}
