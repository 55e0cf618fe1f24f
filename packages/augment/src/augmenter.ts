import * as tf from '@tensorflow/tfjs-core';
import { NUM_CLASSES, Rng } from '@facemask/contracts';
import {
  addGaussianNoise,
  colorJitter,
  cutmixBatch,
  fillRect,
  geometryU8,
  mixupBatch,
  normalizeInPlace,
  toUnit,
} from './kernels.ts';
import { checkBatch, checkOptions, C } from './checks.ts';
import { normalizeToFloat, type Triple } from './normalize.ts';
import { planBatch, type BatchPlan } from './plan.ts';
import { describeTransforms } from './spec.ts';
import { mixTargets, softTargets, type LabelInput } from './targets.ts';

/**
 * Training and evaluation transforms on NHWC batches. Random parameters come from planBatch
 * (seeded per batch); the pixels are computed in typed arrays (kernels.ts) and returned as tfjs
 * tensors, so results are the same bits on every backend and nothing but x and y is allocated.
 */

export interface AugmentOptions {
  mean: Triple;
  std: Triple;
  outHeight: number;
  outWidth: number;
  seed: number;
  numClasses?: number;
}

export interface AugmentedBatch {
  /** float32 [n, outHeight, outWidth, 3], normalised. */
  x: tf.Tensor4D;
  /** float32 [n, numClasses] soft targets; rows sum to 1 when the input rows do. */
  y: tf.Tensor2D;
  /** The random choices behind this batch (for logs and tests). */
  plan: BatchPlan;
}

export type Augmenter = (
  batchU8: Uint8Array,
  n: number,
  h: number,
  w: number,
  labels: LabelInput,
  epoch: number,
  batchIndex: number,
) => AugmentedBatch;

/**
 * Runs a plan: geometry in uint8 (crop, PIL bilinear resize, mirror), then per photo either the
 * exact ToTensor+Normalize lookup or [0,1] floats through ColorJitter and noise before Normalize;
 * then RandomErasing and batch mixing. Returns normalised x and the mixed soft targets y.
 */
export function applyPlan(
  plan: BatchPlan,
  batchU8: Uint8Array,
  labels: LabelInput,
  opts: { mean: Triple; std: Triple; numClasses?: number },
): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const numClasses = opts.numClasses ?? NUM_CLASSES;
  const { n, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = plan;
  checkBatch('applyPlan', batchU8, n, h, w);
  let y = softTargets(labels, n, numClasses);
  const mean = [...opts.mean];
  const std = [...opts.std];
  const inPer = h * w * C;
  const per = oh * ow * C;
  let x: Float32Array = new Float32Array(n * per);
  const noiseRng = new Rng(plan.noiseSeed);
  plan.samples.forEach((s, i) => {
    const photo = geometryU8(batchU8.subarray(i * inPer, (i + 1) * inPer), h, w, s, oh, ow);
    const dst = x.subarray(i * per, (i + 1) * per);
    if (!s.jitter && !s.noise) {
      normalizeToFloat(photo, mean, std, dst);
    } else {
      toUnit(photo, dst);
      if (s.jitter) colorJitter(dst, plan.jitterOrder, s.jitter);
      if (s.noise) addGaussianNoise(dst, plan.noiseStd, noiseRng);
      normalizeInPlace(dst, mean, std);
    }
    if (s.erase) fillRect(dst, ow, s.erase, 0);
  });
  const m = plan.mix;
  if (m?.kind === 'mixup') {
    x = mixupBatch(x, per, m.perm, m.lam);
    y = mixTargets(y, numClasses, m.perm, 1 - m.lam);
  } else if (m?.kind === 'cutmix') {
    x = cutmixBatch(x, oh, ow, m.perm, m.rect);
    y = mixTargets(y, numClasses, m.perm, m.share);
  }
  return { x: tf.tensor4d(x, [n, oh, ow, C]), y: tf.tensor2d(y, [n, numClasses]) };
}

/**
 * The training transform for a config's augment.train list. Same (seed, epoch, batchIndex) and
 * inputs give the same outputs bit for bit, on any backend.
 */
export function buildAugmenter(specs: readonly unknown[], opts: AugmentOptions): Augmenter {
  checkOptions('buildAugmenter', opts);
  if (!Number.isFinite(opts.seed)) throw new RangeError(`buildAugmenter: seed must be a finite number, got ${opts.seed}`);
  const resolved = describeTransforms(specs);
  return (batchU8, n, h, w, labels, epoch, batchIndex) => {
    checkBatch('augment', batchU8, n, h, w);
    const plan = planBatch(resolved, { n, inHeight: h, inWidth: w, outHeight: opts.outHeight, outWidth: opts.outWidth, seed: opts.seed, epoch, batchIndex });
    return { ...applyPlan(plan, batchU8, labels, opts), plan };
  };
}
