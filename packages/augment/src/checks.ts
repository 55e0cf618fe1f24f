import type { Triple } from './normalize.ts';

/** Argument checks shared by the training and evaluation transforms. */

/** Channels of every batch: RGB. */
export const C = 3;

export function checkBatch(fn: string, batchU8: Uint8Array, n: number, h: number, w: number): void {
  for (const [k, v] of Object.entries({ n, h, w })) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${fn}: ${k} must be a positive integer, got ${v}`);
  }
  if (batchU8.length !== n * h * w * C) {
    throw new RangeError(`${fn}: batch has ${batchU8.length} bytes, expected n*h*w*3 = ${n}*${h}*${w}*3 (RGB, NHWC)`);
  }
}

export function checkOptions(fn: string, o: { mean: Triple; std: Triple; outHeight: number; outWidth: number }): void {
  if (o.mean.length !== C || o.std.length !== C) throw new RangeError(`${fn}: mean and std need 3 values each`);
  for (const s of o.std) if (!(s > 0)) throw new RangeError(`${fn}: std values must be > 0, got ${s}`);
  for (const [k, v] of Object.entries({ outHeight: o.outHeight, outWidth: o.outWidth })) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${fn}: ${k} must be a positive integer, got ${v}`);
  }
}

