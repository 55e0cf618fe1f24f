import * as tf from '@tensorflow/tfjs-core';
import { NUM_CLASSES } from '@facemask/core';
import { normalizeToFloat, type Triple } from './normalize.ts';
import { planBatch, type BatchPlan } from './plan.ts';
import { resizeU8 } from './resize.ts';
import { describeTransforms } from './spec.ts';
import { mixTargets, softTargets, type LabelInput } from './targets.ts';

/**
 * Training and evaluation transforms on NHWC batches. Random parameters come from planBatch (pure
 * JS, seeded per batch); the pixel work is tfjs ops that exist on the cpu and wasm backends.
 * Everything allocated for a batch is released except the returned x and y.
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
  /** float32 [n, numClasses] soft targets, rows summing to 1 for one-hot or soft inputs that do. */
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

const CHANNELS = 3;
/** torchvision's rgb_to_grayscale weights. */
const GRAY = [0.2989, 0.587, 0.114];
const UNIT_LUT = Float32Array.from({ length: 256 }, (_, v) => Math.fround(v / 255));

function checkBatch(fn: string, batchU8: Uint8Array, n: number, h: number, w: number): void {
  for (const [k, v] of Object.entries({ n, h, w })) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${fn}: ${k} must be a positive integer, got ${v}`);
  }
  if (batchU8.length !== n * h * w * CHANNELS) {
    throw new RangeError(`${fn}: batch has ${batchU8.length} bytes, expected n*h*w*3 = ${n}*${h}*${w}*3 (RGB, NHWC)`);
  }
}

function checkOptions(fn: string, o: { mean: Triple; std: Triple; outHeight: number; outWidth: number }): void {
  if (o.mean.length !== CHANNELS || o.std.length !== CHANNELS) throw new RangeError(`${fn}: mean and std need 3 values each`);
  for (const [k, v] of Object.entries({ outHeight: o.outHeight, outWidth: o.outWidth })) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${fn}: ${k} must be a positive integer, got ${v}`);
  }
}

/** PIL-parity resize of every photo, for batches cached at another size than the model wants. */
function resizeBatch(batchU8: Uint8Array, n: number, h: number, w: number, oh: number, ow: number): Uint8Array {
  const per = h * w * CHANNELS;
  const out = new Uint8Array(n * oh * ow * CHANNELS);
  for (let i = 0; i < n; i++) {
    out.set(resizeU8(batchU8.subarray(i * per, (i + 1) * per), h, w, CHANNELS, oh, ow), i * oh * ow * CHANNELS);
  }
  return out;
}

function rectMask(n: number, h: number, w: number, fill: number, rects: ({ top: number; left: number; height: number; width: number } | null)[]): Float32Array {
  const m = new Float32Array(n * h * w).fill(fill);
  rects.forEach((r, i) => {
    if (!r) return;
    for (let y = r.top; y < r.top + r.height; y++) m.fill(1 - fill, (i * h + y) * w + r.left, (i * h + y) * w + r.left + r.width);
  });
  return m;
}

function column(values: number[]): tf.Tensor4D {
  return tf.tensor4d(values, [values.length, 1, 1, 1]);
}

function cropResizeFlip(x: tf.Tensor4D, plan: BatchPlan, h: number, w: number): tf.Tensor4D {
  // Normalised box corners address pixel centres (align-corners), so the whole-image box with the
  // output size equal to the input is an exact copy, and swapping x1/x2 is an exact mirror.
  const ny = (v: number) => (h > 1 ? v / (h - 1) : 0);
  const nx = (v: number) => (w > 1 ? v / (w - 1) : 0);
  const boxes = plan.samples.flatMap((s) => {
    const r = s.crop ?? { top: 0, left: 0, height: h, width: w };
    const x1 = nx(r.left);
    const x2 = nx(r.left + r.width - 1);
    return [ny(r.top), s.flip ? x2 : x1, ny(r.top + r.height - 1), s.flip ? x1 : x2];
  });
  return tf.image.cropAndResize(
    x,
    tf.tensor2d(boxes, [plan.n, 4]),
    tf.tensor1d(plan.samples.map((_, i) => i), 'int32'),
    [plan.outHeight, plan.outWidth],
    'bilinear',
  );
}

function grayscale(x: tf.Tensor4D): tf.Tensor4D {
  return tf.sum(tf.mul(x, tf.tensor1d(GRAY)), -1, true);
}

function colorJitter(x: tf.Tensor4D, plan: BatchPlan): tf.Tensor4D {
  const factors = (op: 'brightness' | 'contrast' | 'saturation') => plan.samples.map((s) => s.jitter?.[op] ?? 1);
  for (const op of plan.jitterOrder) {
    const f = factors(op);
    const ft = column(f);
    const rest = column(f.map((v) => 1 - v));
    // torchvision's _blend: clamp(f * img + (1 - f) * other, 0, 1), other = 0 / mean gray / gray.
    const other = op === 'brightness' ? null : op === 'contrast' ? tf.mean(grayscale(x), [1, 2, 3], true) : grayscale(x);
    const blended: tf.Tensor4D = other ? tf.add(tf.mul(x, ft), tf.mul(other, rest)) : tf.mul(x, ft);
    x = tf.clipByValue(blended, 0, 1);
  }
  return x;
}

function gaussianNoise(x: tf.Tensor4D, plan: BatchPlan): tf.Tensor4D {
  const picked = plan.samples.flatMap((s, i) => (s.noise ? [i] : []));
  const k = picked.length;
  const noise = tf.randomNormal([k, plan.outHeight, plan.outWidth, CHANNELS], 0, plan.noiseStd, 'float32', plan.noiseSeed);
  if (k === plan.n) return tf.add(x, noise);
  // Noise only for the photos that drew it; the others take the zero row at index k.
  const index = new Int32Array(plan.n).fill(k);
  picked.forEach((i, j) => (index[i] = j));
  const padded = tf.concat([noise, tf.zeros([1, plan.outHeight, plan.outWidth, CHANNELS])], 0);
  return tf.add(x, tf.gather(padded, tf.tensor1d(index, 'int32')));
}

function mix(x: tf.Tensor4D, plan: BatchPlan): tf.Tensor4D {
  const m = plan.mix;
  if (!m) return x;
  const other = tf.gather(x, tf.tensor1d(m.perm, 'int32'));
  if (m.kind === 'mixup') return tf.add(tf.mul(x, m.lam), tf.mul(other, 1 - m.lam));
  // x*(1-mask) + other*mask with a 0/1 mask copies both sources bit for bit.
  const mask = tf.tensor4d(rectMask(1, plan.outHeight, plan.outWidth, 0, [m.rect]), [1, plan.outHeight, plan.outWidth, 1]);
  return tf.add(tf.mul(x, tf.sub(1, mask)), tf.mul(other, mask));
}

/** Runs a plan on a batch: returns normalised x and the mixed soft targets y. */
export function applyPlan(
  plan: BatchPlan,
  batchU8: Uint8Array,
  labels: LabelInput,
  opts: { mean: Triple; std: Triple; numClasses?: number },
): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const numClasses = opts.numClasses ?? NUM_CLASSES;
  const { n, outHeight: oh, outWidth: ow } = plan;
  checkBatch('applyPlan', batchU8, n, plan.inHeight, plan.inWidth);
  let y = softTargets(labels, n, numClasses);
  if (plan.mix) y = mixTargets(y, numClasses, plan.mix.perm, plan.mix.kind === 'mixup' ? 1 - plan.mix.lam : plan.mix.share);

  const geometric = plan.samples.some((s) => s.crop !== null || s.flip);
  let src = batchU8;
  let [h, w] = [plan.inHeight, plan.inWidth];
  if (!geometric && (h !== oh || w !== ow)) {
    src = resizeBatch(batchU8, n, h, w, oh, ow);
    [h, w] = [oh, ow];
  }
  const colour = plan.samples.some((s) => s.jitter !== null);
  const noisy = plan.samples.some((s) => s.noise);
  const x = tf.tidy(() => {
    let x: tf.Tensor4D;
    if (!colour && !noisy) {
      // Normalise first: exact torchvision values, and bilinear weights commute with the per-channel affine map.
      x = tf.tensor4d(normalizeToFloat(src, opts.mean, opts.std), [n, h, w, CHANNELS]);
      if (geometric || h !== oh || w !== ow) x = cropResizeFlip(x, plan, h, w);
    } else {
      x = tf.tensor4d(src.length ? Float32Array.from(src, (v) => UNIT_LUT[v]!) : new Float32Array(0), [n, h, w, CHANNELS]);
      if (geometric || h !== oh || w !== ow) x = cropResizeFlip(x, plan, h, w);
      if (colour) x = colorJitter(x, plan);
      if (noisy) x = gaussianNoise(x, plan);
      x = tf.div(tf.sub(x, tf.tensor1d(opts.mean as number[])), tf.tensor1d(opts.std as number[]));
    }
    if (plan.samples.some((s) => s.erase)) {
      const keep = rectMask(n, oh, ow, 1, plan.samples.map((s) => s.erase));
      x = tf.mul(x, tf.tensor4d(keep, [n, oh, ow, 1]));
    }
    return mix(x, plan);
  });
  return { x, y: tf.tensor2d(y, [n, numClasses]) };
}

/**
 * The training transform for a config's augment.train list. Same (seed, epoch, batchIndex) and
 * inputs give the same outputs bit for bit on a given backend.
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

export interface EvalOptions {
  mean: Triple;
  std: Triple;
  /** Defaults to the batch's size; otherwise photos are resized like PIL's BILINEAR. */
  outHeight?: number;
  outWidth?: number;
  /** Mirror left-right (the second test-time-augmentation view). */
  flip?: boolean;
}

/** Normalise only (plus an optional PIL resize and mirror): float32 [n, H, W, 3]. */
export function evalTransform(batchU8: Uint8Array, n: number, h: number, w: number, opts: EvalOptions): tf.Tensor4D {
  checkBatch('evalTransform', batchU8, n, h, w);
  const oh = opts.outHeight ?? h;
  const ow = opts.outWidth ?? w;
  checkOptions('evalTransform', { ...opts, outHeight: oh, outWidth: ow });
  const src = oh !== h || ow !== w ? resizeBatch(batchU8, n, h, w, oh, ow) : batchU8;
  const values = normalizeToFloat(src, opts.mean, opts.std);
  if (!opts.flip) return tf.tensor4d(values, [n, oh, ow, CHANNELS]);
  return tf.tidy(() => tf.reverse(tf.tensor4d(values, [n, oh, ow, CHANNELS]), 2));
}

/** The views test-time augmentation averages: the plain batch and its mirror. */
export function ttaViews(batchU8: Uint8Array, n: number, h: number, w: number, opts: Omit<EvalOptions, 'flip'>): [tf.Tensor4D, tf.Tensor4D] {
  const plain = evalTransform(batchU8, n, h, w, opts);
  return [plain, tf.tidy(() => tf.reverse(plain, 2))];
}
