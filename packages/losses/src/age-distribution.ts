import * as tf from '@tensorflow/tfjs-core';

/**
 * The label-distribution age loss (DLDL): the Kullback-Leibler divergence KL(t || softmax(l)) of
 * each photo's target distribution t over the years from the head's, averaged over the batch.
 * It is the soft-target cross-entropy less the target's own entropy, so its gradient is the
 * cross-entropy's, softmax(l) - t, while a head that predicts the target exactly scores 0 (not
 * the entropy of a normal distribution some years wide) and the term sits beside the three heads'
 * losses on their scale. 0 log 0 counts as 0.
 */
export function distributionLoss(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  if (logits.rank !== 2 || targets.rank !== 2 || logits.shape[0] !== targets.shape[0] || logits.shape[1] !== targets.shape[1]) {
    throw new Error(`distributionLoss: logits [${logits.shape}] and targets [${targets.shape}] must both be [N, bins]`);
  }
  return tf.tidy(() => {
    const t = tf.cast(targets, 'float32');
    const logT = tf.log(tf.maximum(t, 1e-30));
    const perBin = tf.mul(t, tf.sub(logT, tf.logSoftmax(logits)));
    return tf.mean(tf.sum(perBin, 1)) as tf.Scalar;
  });
}
