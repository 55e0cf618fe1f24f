import * as tf from '@tensorflow/tfjs-core';
import { checkBatch, checkOptions, C } from './checks.ts';
import { flipF32 } from './kernels.ts';
import { normalizeToFloat, type Triple } from './normalize.ts';
import { resizeU8 } from './resize.ts';

/**
 * The evaluation transform (normalise, optional resize and mirror) and the test-time views, used
 * when a fold predicts and when an exported model predicts (pnpm predict, the kiosk page): no
 * node: modules here, so the page bundles this very file.
 */

export interface EvalOptions {
  mean: Triple;
  std: Triple;
  /** Defaults to the batch's size; otherwise photos are resized like PIL's BILINEAR. */
  outHeight?: number;
  outWidth?: number;
  /** Mirror left-right (the second test-time-augmentation view). */
  flip?: boolean;
}

/** Normalised float32 NHWC values of an eval batch (exact torchvision ToTensor+Normalize). */
function evalValues(batchU8: Uint8Array, n: number, h: number, w: number, opts: EvalOptions): { values: Float32Array; oh: number; ow: number } {
  checkBatch('evalTransform', batchU8, n, h, w);
  const oh = opts.outHeight ?? h;
  const ow = opts.outWidth ?? w;
  checkOptions('evalTransform', { ...opts, outHeight: oh, outWidth: ow });
  let src = batchU8;
  if (oh !== h || ow !== w) {
    src = new Uint8Array(n * oh * ow * C);
    for (let i = 0; i < n; i++) src.set(resizeU8(batchU8.subarray(i * h * w * C, (i + 1) * h * w * C), h, w, C, oh, ow), i * oh * ow * C);
  }
  return { values: normalizeToFloat(src, opts.mean, opts.std), oh, ow };
}

/** Normalise only (plus an optional PIL resize and mirror): float32 [n, H, W, 3]. */
export function evalTransform(batchU8: Uint8Array, n: number, h: number, w: number, opts: EvalOptions): tf.Tensor4D {
  const { values, oh, ow } = evalValues(batchU8, n, h, w, opts);
  return tf.tensor4d(opts.flip ? flipF32(values, ow, new Float32Array(values.length)) : values, [n, oh, ow, C]);
}

/** The views test-time augmentation averages: the plain batch and its mirror. */
export function ttaViews(batchU8: Uint8Array, n: number, h: number, w: number, opts: Omit<EvalOptions, 'flip'>): [tf.Tensor4D, tf.Tensor4D] {
  const { values, oh, ow } = evalValues(batchU8, n, h, w, opts);
  const mirrored = flipF32(values, ow, new Float32Array(values.length));
  return [tf.tensor4d(values, [n, oh, ow, C]), tf.tensor4d(mirrored, [n, oh, ow, C])];
}
