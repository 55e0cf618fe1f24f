import * as tf from '@tensorflow/tfjs-core';
import { asSoftTargets, classWeightTensor, type ClassWeights, type Targets } from './targets.ts';

export interface F1Options {
  epsilon: number;
  /** Weights for the mean over classes (the baseline takes the plain mean). */
  classWeights?: ClassWeights | null;
}

/**
 * The baseline's F1Loss: soft per-class F1 over the batch from softmax probabilities, clamped to
 * [eps, 1-eps] (no gradient where clamped, as torch.clamp), loss = 1 - mean_c F1_c.
 */
export function f1Loss(logits: tf.Tensor2D, targets: Targets, opts: F1Options): tf.Scalar {
  const eps = opts.epsilon;
  if (!(eps > 0 && eps < 0.5)) throw new Error(`F1 loss epsilon must be in (0, 0.5), got ${eps}`);
  return tf.tidy(() => {
    const y = asSoftTargets(targets, logits, 'f1Loss');
    const w = classWeightTensor(opts.classWeights, logits.shape[1], 'f1Loss');
    const p = tf.softmax(logits);
    const tp = tf.sum(tf.mul(y, p), 0);
    const fp = tf.sum(tf.mul(tf.sub(1, y), p), 0);
    const fn = tf.sum(tf.mul(y, tf.sub(1, p)), 0);
    const precision = tf.div(tp, tf.add(tf.add(tp, fp), eps));
    const recall = tf.div(tp, tf.add(tf.add(tp, fn), eps));
    const f1 = tf.div(tf.mul(2, tf.mul(precision, recall)), tf.add(tf.add(precision, recall), eps));
    const clamped = tf.clipByValue(f1, eps, 1 - eps);
    const meanF1 = w ? tf.div(tf.sum(tf.mul(clamped, w)), tf.sum(w)) : tf.mean(clamped);
    return tf.sub(1, meanF1) as tf.Scalar;
  });
}
