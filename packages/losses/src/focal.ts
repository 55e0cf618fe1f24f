import * as tf from '@tensorflow/tfjs-core';
import { asSoftTargets, classWeightTensor, weightedBatchMean, type ClassWeights, type Targets } from './targets.ts';

export interface FocalOptions {
  gamma: number;
  /** Per-class alpha, as the `weight` of the baseline's FocalLoss (nll_loss weight). */
  classWeights?: ClassWeights | null;
}

/**
 * The boostcamp FocalLoss: nll_loss((1-p)^gamma * log p, target, weight), mean reduction.
 * Soft targets weight each class's term by t_c.
 */
export function focalLoss(logits: tf.Tensor2D, targets: Targets, opts: FocalOptions): tf.Scalar {
  const { gamma } = opts;
  if (!(gamma >= 0) || !Number.isFinite(gamma)) throw new Error(`focal loss gamma must be finite and >= 0, got ${gamma}`);
  return tf.tidy(() => {
    const soft = asSoftTargets(targets, logits, 'focalLoss');
    const w = classWeightTensor(opts.classWeights, logits.shape[1], 'focalLoss');
    const logp = tf.logSoftmax(logits);
    let term: tf.Tensor = logp;
    // gamma 0: (1-p)^0 is the constant 1; building pow(.., 0) would give the gradient 0 * (1-p)^-1,
    // NaN where p rounds to 1.
    if (gamma !== 0) {
      // 1-p is exactly 0 when p rounds to 1; flooring it keeps pow's gradient finite for gamma < 1
      // (maximum passes no gradient to the floored entries, where torch's would be 0 or NaN).
      const base = tf.maximum(tf.sub(1, tf.exp(logp)), 1e-30);
      term = tf.mul(tf.pow(base, gamma), logp);
    }
    const perClass = tf.neg(tf.mul(soft, term)) as tf.Tensor2D;
    return weightedBatchMean(perClass, soft, w);
  });
}
