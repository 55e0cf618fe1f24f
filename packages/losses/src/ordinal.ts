import * as tf from '@tensorflow/tfjs-core';

/**
 * The ordinal (CORAL) age loss: binary cross-entropy of each threshold logit l_k = P(age >= t_k)
 * against its target y_k (1 when the age reaches t_k; soft targets, e.g. MixUp's, allowed),
 * averaged over the thresholds and the batch. CORAL sums over the thresholds; the mean keeps the
 * age term on the scale of the mask and gender heads' cross-entropies, whatever the number of
 * thresholds, so adding thresholds does not silence the other heads in the shared feature norm.
 * Per element y softplus(-l) + (1-y) softplus(l) = -y log s(l) - (1-y) log(1-s(l)): softplus is
 * exact in the tails and its gradient, s(l) - y, is smooth at 0 (relu/abs forms' are not).
 */
export function ordinalLoss(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  if (logits.rank !== 2 || targets.rank !== 2 || logits.shape[0] !== targets.shape[0] || logits.shape[1] !== targets.shape[1]) {
    throw new Error(`ordinalLoss: logits [${logits.shape}] and targets [${targets.shape}] must both be [N, thresholds]`);
  }
  return tf.tidy(() => {
    const y = tf.cast(targets, 'float32');
    const perThreshold = tf.add(tf.mul(y, tf.softplus(tf.neg(logits))), tf.mul(tf.sub(1, y), tf.softplus(logits)));
    return tf.mean(perThreshold) as tf.Scalar;
  });
}
