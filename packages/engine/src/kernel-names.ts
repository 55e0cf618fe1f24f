import * as tf from '@tensorflow/tfjs-core';

/**
 * Names of the kernels this package adds to tfjs (no tfjs kernel has them), importable without
 * loading an engine (`@facemask/engine/kernel-names`): model code asks tf.getKernel(name,
 * tf.getBackend()) whether the active backend has one and otherwise composes stock ops.
 */

/**
 * Training-mode BatchNorm (+ ReLU) over all axes but the last. Inputs x (float32, channels last),
 * gamma and beta ([C]); attrs epsilon (number) and relu (boolean). Outputs y, the batch mean and
 * its biased variance ([C] each).
 */
export const BATCH_NORM_TRAIN = 'FacemaskBatchNormTrain';

/**
 * Its gradient. Inputs dy, x, mean, variance, gamma, and y (the forward's output) when the
 * forward had the ReLU, which masks dy where y is not positive; attr epsilon. Outputs dx, dgamma
 * and dbeta.
 */
export const BATCH_NORM_TRAIN_GRAD = 'FacemaskBatchNormTrainGrad';

/**
 * One parameter's torch.optim.SGD step. Inputs param, grad (float32, one shape) and momentum, the
 * momentum buffer, from the second step on; attrs lr, momentum, dampening, weightDecay (numbers)
 * and nesterov (boolean). Outputs the new param and, with momentum > 0, the new momentum buffer.
 */
export const SGD_UPDATE = 'FacemaskSgdUpdate';

/**
 * One parameter's torch.optim.Adam step, or AdamW's with decoupled. Inputs param, grad and
 * expAvg, expAvgSq from the second step on; attrs lr, beta1, beta2, eps, weightDecay (numbers),
 * decoupled (boolean) and step (this parameter's update count, 1 on the first). Outputs the new
 * param, exp_avg and exp_avg_sq.
 */
export const ADAM_UPDATE = 'FacemaskAdamUpdate';

/** Σ|x| over all of x (float32), a scalar: the train step's finiteness check of each gradient. */
export const ABS_SUM = 'FacemaskAbsSum';

/** Whether the active backend has every kernel named (the engine registers them for some backends only). */
export function activeBackendHas(...names: string[]): boolean {
  const backend = tf.getBackend();
  return names.every((name) => tf.getKernel(name, backend) !== undefined);
}
