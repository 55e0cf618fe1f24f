import { Rng, type PhotoKind } from '@facemask/contracts';
import sharp from 'sharp';
import type { Person } from './person.ts';
import { drawPhotoParams, type PhotoParams } from './photo-params.ts';
import { CANVAS_WIDTH, sceneSvg } from './scene-svg.ts';

export interface RenderOptions {
  width: number;
  height: number;
  /** JPEG quality 1..100. */
  quality: number;
}

/**
 * One photo: SVG scene -> librsvg raster -> slight defocus -> light, colour cast and sensor noise
 * in JS (seeded, so byte-identical across runs) -> JPEG.
 */
export async function renderPhoto(seed: number, person: Person, kind: PhotoKind, opts: RenderOptions): Promise<Buffer> {
  const params = drawPhotoParams(seed, person, kind);
  const svg = sceneSvg(seed, person, params, opts.width, opts.height);
  const sizeScale = Math.max(opts.width / CANVAS_WIDTH, opts.height / 512);
  const sigma = Math.max(0.3, params.blur * sizeScale);
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().blur(sigma).raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== opts.width || info.height !== opts.height) {
    throw new Error(`rasterised ${info.width}x${info.height}x${info.channels}, expected ${opts.width}x${opts.height}x3`);
  }
  applyCamera(data, params, Rng.derive(seed, 'noise', person.id, kind));
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
    .jpeg({ quality: opts.quality, mozjpeg: false })
    .toBuffer();
}

/** Brightness/contrast/warmth through per-channel lookup tables, then Gaussian noise, in place. */
export function applyCamera(data: Uint8Array, p: Pick<PhotoParams, 'brightness' | 'contrast' | 'warmth' | 'noise'>, rng: Rng): void {
  if (data.length % 3 !== 0) throw new Error(`applyCamera expects RGB data, got ${data.length} bytes`);
  const [lr, lg, lb] = [1 + p.warmth, 1, 1 - p.warmth].map((gain) => {
    const lut = new Int16Array(256);
    for (let v = 0; v < 256; v++) lut[v] = Math.round(((v * p.brightness - 128) * p.contrast + 128) * gain);
    return lut;
  }) as [Int16Array, Int16Array, Int16Array];
  const noise = new Int16Array(256);
  for (let i = 0; i < 256; i++) noise[i] = Math.round(probit((i + 0.5) / 256) * p.noise);
  const clampByte = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);
  for (let i = 0; i < data.length; i += 3) {
    // One 32-bit draw feeds the three channels of a pixel.
    const bits = (rng.next() * 4294967296) >>> 0;
    data[i] = clampByte((lr[data[i] as number] as number) + (noise[bits & 255] as number));
    data[i + 1] = clampByte((lg[data[i + 1] as number] as number) + (noise[(bits >>> 8) & 255] as number));
    data[i + 2] = clampByte((lb[data[i + 2] as number] as number) + (noise[(bits >>> 16) & 255] as number));
  }
}

/** Inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function probit(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const dd = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = dd as [number, number, number, number];
  const tail = (q: number): number => (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}
