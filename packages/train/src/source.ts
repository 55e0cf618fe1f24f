import * as tf from '@tensorflow/tfjs-core';
import { buildAugmenter, evalTransform, ttaViews, type Augmenter } from '@facemask/augment';
import type { ImageCache } from '@facemask/image-cache';

/**
 * Where batches come from. Reading (file I/O) is split from making tensors so the next batch's
 * bytes load in the background while the current batch trains.
 */
export interface BatchSource<Raw> {
  /** Starts loading the rows of a batch. */
  fetch(rows: readonly number[]): Promise<Raw>;
  /** Training tensors for a loaded batch: x and soft targets [n, 18]. */
  train(raw: Raw, targets: readonly (readonly number[])[], epoch: number, batchIndex: number): { x: tf.Tensor; y: tf.Tensor2D };
  /** Evaluation views of a loaded batch: one, or the plain and mirrored views for TTA. */
  views(raw: Raw, tta: boolean): tf.Tensor[];
  /** Rows this source holds. */
  count: number;
}

export interface PixelBatch {
  pixels: Uint8Array;
  n: number;
}

export interface ImageSourceOptions {
  augment: { train: readonly unknown[]; mean: readonly number[]; std: readonly number[] };
  height: number;
  width: number;
  seed: number;
  /** Length of a training target row (HeadAdapter.targetWidth); default the 18 classes. */
  targetWidth?: number;
}

/** Batches of cached uint8 photos, augmented for training and normalised for evaluation. */
export function imageSource(cache: ImageCache, opts: ImageSourceOptions): BatchSource<PixelBatch> {
  const augmenter: Augmenter = buildAugmenter(opts.augment.train, {
    mean: opts.augment.mean as [number, number, number],
    std: opts.augment.std as [number, number, number],
    outHeight: opts.height,
    outWidth: opts.width,
    seed: opts.seed,
    ...(opts.targetWidth !== undefined ? { numClasses: opts.targetWidth } : {}),
  });
  const h = cache.height;
  const w = cache.width;
  return {
    count: cache.count,
    async fetch(rows) {
      return { pixels: await cache.read([...rows]), n: rows.length };
    },
    train(raw, targets, epoch, batchIndex) {
      const { x, y } = augmenter(raw.pixels, raw.n, h, w, targets as number[][], epoch, batchIndex);
      return { x, y };
    },
    views(raw, tta) {
      const base = { mean: opts.augment.mean, std: opts.augment.std, outHeight: opts.height, outWidth: opts.width };
      return tta ? ttaViews(raw.pixels, raw.n, h, w, base) : [evalTransform(raw.pixels, raw.n, h, w, base)];
    },
  };
}

/** Rows of precomputed pooled features (plain and mirrored view), for the fast frozen mode. */
export interface FeatureTable {
  dim: number;
  plain: Float32Array;
  flipped: Float32Array;
  count: number;
}

export interface FeatureBatch {
  plain: Float32Array;
  flipped: Float32Array;
  n: number;
  rows: number[];
}

/**
 * Feature batches. Training mirrors a photo (uses its flipped features) with probability
 * `flipP`, drawn from a seeded stream per (epoch, batch), so resumed runs see the same flips.
 */
export function featureSource(table: FeatureTable, opts: { flipP: number; rngFor: (epoch: number, batch: number) => () => number }): BatchSource<FeatureBatch> {
  const d = table.dim;
  const gather = (src: Float32Array, rows: readonly number[]) => {
    const out = new Float32Array(rows.length * d);
    rows.forEach((r, i) => out.set(src.subarray(r * d, (r + 1) * d), i * d));
    return out;
  };
  return {
    count: table.count,
    async fetch(rows) {
      return { plain: gather(table.plain, rows), flipped: gather(table.flipped, rows), n: rows.length, rows: [...rows] };
    },
    train(raw, targets, epoch, batchIndex) {
      const next = opts.rngFor(epoch, batchIndex);
      const x = new Float32Array(raw.n * d);
      for (let i = 0; i < raw.n; i++) {
        const src = next() < opts.flipP ? raw.flipped : raw.plain;
        x.set(src.subarray(i * d, (i + 1) * d), i * d);
      }
      return { x: tf.tensor2d(x, [raw.n, d]), y: tf.tensor2d(targets.flat(), [raw.n, targets[0]?.length ?? 18]) };
    },
    views(raw, tta) {
      const plain = tf.tensor2d(raw.plain, [raw.n, d]);
      return tta ? [plain, tf.tensor2d(raw.flipped, [raw.n, d])] : [plain];
    },
  };
}
