import * as tf from '@tensorflow/tfjs-core';

/** Integer class ids, one per sample. */
export type Labels = number[] | Int32Array;
/** Integer labels (array or int tensor [N]) or soft targets [N,C] (one-hot, smoothed, MixUp/CutMix mixtures). */
export type Targets = Labels | tf.Tensor1D | tf.Tensor2D;
/** Per-class weights, length C. */
export type ClassWeights = ArrayLike<number>;

function checkLabels(labels: ArrayLike<number>, numClasses: number, what: string): void {
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] as number;
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) {
      throw new Error(`${what}: label ${y} at index ${i} is not a class id in 0..${numClasses - 1}`);
    }
  }
}

/** One-hot float32 targets [N, numClasses] from integer labels. */
export function toSoftTargets(labels: Labels, numClasses: number): tf.Tensor2D {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`toSoftTargets: numClasses must be a positive integer, got ${numClasses}`);
  checkLabels(labels, numClasses, 'toSoftTargets');
  return tf.tidy(() => oneHotFloat(tf.tensor1d(Int32Array.from(labels), 'int32'), numClasses));
}

/** tfjs-backend-wasm 4.22's OneHot ignores a float32 dtype and writes int32 bits, so cast instead. */
function oneHotFloat(ids: tf.Tensor1D, numClasses: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(ids, numClasses), 'float32') as tf.Tensor2D;
}

/**
 * Brings any accepted target form to float32 [N,C] matching `logits`. Integer tensors are read
 * back to validate them, because tf.oneHot silently turns an out-of-range id into a zero row.
 */
export function asSoftTargets(targets: Targets, logits: tf.Tensor2D, who: string): tf.Tensor2D {
  if (logits.rank !== 2) throw new Error(`${who}: logits must be [N,C], got shape [${logits.shape.join(',')}]`);
  const [n, c] = logits.shape;
  if (!(targets instanceof tf.Tensor)) {
    if (targets.length !== n) throw new Error(`${who}: ${targets.length} labels for a batch of ${n} logits`);
    return toSoftTargets(targets, c);
  }
  if (targets.rank === 1) {
    if (targets.shape[0] !== n) throw new Error(`${who}: ${targets.shape[0]} labels for a batch of ${n} logits`);
    const ids = targets.dataSync();
    checkLabels(ids, c, who);
    return tf.tidy(() => oneHotFloat(tf.cast(targets, 'int32') as tf.Tensor1D, c));
  }
  if (targets.rank === 2) {
    if (targets.shape[0] !== n || targets.shape[1] !== c) {
      throw new Error(`${who}: soft targets have shape [${targets.shape.join(',')}], logits [${n},${c}]`);
    }
    return targets.dtype === 'float32' ? (targets as tf.Tensor2D) : (tf.cast(targets, 'float32') as tf.Tensor2D);
  }
  throw new Error(`${who}: targets must be labels [N] or soft targets [N,C], got rank ${targets.rank}`);
}

/** Validated class weights as a [C] tensor, or null when none are given. */
export function classWeightTensor(weights: ClassWeights | null | undefined, numClasses: number, who: string): tf.Tensor1D | null {
  if (weights == null) return null;
  if (weights.length !== numClasses) throw new Error(`${who}: ${weights.length} class weights for ${numClasses} classes`);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    if (!Number.isFinite(w) || w < 0) throw new Error(`${who}: class weight ${w} for class ${i} must be finite and >= 0`);
  }
  if (!Array.prototype.some.call(weights, (w: number) => w > 0)) throw new Error(`${who}: every class weight is 0`);
  return tf.tensor1d(Float32Array.from(weights as ArrayLike<number>), 'float32');
}

/**
 * Mean over the batch of sum_c w_c * perClass[i,c]. With class weights the denominator is
 * sum_i sum_c w_c * soft[i,c]: for one-hot targets exactly PyTorch's sum_i w[y_i] (nll_loss /
 * CrossEntropyLoss with `weight`), and the natural extension of it to mixed targets.
 */
export function weightedBatchMean(perClass: tf.Tensor2D, soft: tf.Tensor2D, weights: tf.Tensor1D | null): tf.Scalar {
  if (!weights) return tf.div(tf.sum(perClass), perClass.shape[0]) as tf.Scalar;
  const num = tf.sum(tf.mul(perClass, weights));
  const den = tf.sum(tf.mul(soft, weights));
  return tf.div(num, den) as tf.Scalar;
}
