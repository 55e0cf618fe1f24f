import * as tf from '@tensorflow/tfjs-core';
import { asSoftTargets, classWeightTensor, weightedBatchMean, type ClassWeights, type Targets } from './targets.ts';

export interface CrossEntropyOptions {
  classWeights?: ClassWeights | null;
}

/** nn.CrossEntropyLoss() (mean reduction) on logits [N,C]; soft targets give -sum_c t_c log p_c. */
export function crossEntropy(logits: tf.Tensor2D, targets: Targets, opts: CrossEntropyOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    const soft = asSoftTargets(targets, logits, 'crossEntropy');
    const w = classWeightTensor(opts.classWeights, logits.shape[1], 'crossEntropy');
    const perClass = tf.neg(tf.mul(soft, tf.logSoftmax(logits))) as tf.Tensor2D;
    return weightedBatchMean(perClass, soft, w);
  });
}

/**
 * "torch": CrossEntropyLoss(label_smoothing=e), every class gets e/C on top of (1-e)*target.
 * "competition": the boostcamp LabelSmoothingLoss, 1-e on the target and e/(C-1) elsewhere.
 */
export type SmoothingKind = 'torch' | 'competition';

/** The smoothed target distribution; for soft targets t it is (1-e)t + e/C, or (1-e)t + e/(C-1)(1-t). */
export function smoothTargets(soft: tf.Tensor2D, smoothing: number, kind: SmoothingKind): tf.Tensor2D {
  if (!(smoothing >= 0 && smoothing <= 1)) throw new Error(`label smoothing must be in [0, 1], got ${smoothing}`);
  const c = soft.shape[1];
  return tf.tidy(() => {
    if (kind === 'torch') return tf.add(tf.mul(soft, 1 - smoothing), smoothing / c) as tf.Tensor2D;
    if (c < 2) throw new Error('competition label smoothing needs at least 2 classes');
    const off = smoothing / (c - 1);
    return tf.add(tf.mul(soft, 1 - smoothing), tf.mul(tf.sub(1, soft), off)) as tf.Tensor2D;
  });
}

export interface LabelSmoothingOptions extends CrossEntropyOptions {
  smoothing: number;
  kind: SmoothingKind;
}

/**
 * Cross entropy against smoothed targets. With class weights the sum is divided by the weight of
 * the unsmoothed targets, as CrossEntropyLoss(weight, label_smoothing) does.
 */
export function labelSmoothingLoss(logits: tf.Tensor2D, targets: Targets, opts: LabelSmoothingOptions): tf.Scalar {
  return tf.tidy(() => {
    const soft = asSoftTargets(targets, logits, 'labelSmoothingLoss');
    const w = classWeightTensor(opts.classWeights, logits.shape[1], 'labelSmoothingLoss');
    const q = smoothTargets(soft, opts.smoothing, opts.kind);
    const perClass = tf.neg(tf.mul(q, tf.logSoftmax(logits))) as tf.Tensor2D;
    return weightedBatchMean(perClass, soft, w);
  });
}
