import * as tf from '@tensorflow/tfjs-core';

/**
 * Kernels receive Tensors when called through ops but bare TensorInfos when another kernel calls
 * them directly. Wrapping a TensorInfo adds a reference to the same data (no copy); the wrapper
 * is tracked by the enclosing tf.tidy, so disposing it never frees the caller's data.
 */
export function asTensor(info: tf.TensorInfo): tf.Tensor {
  return info instanceof tf.Tensor ? info : tf.engine().makeTensorFromTensorInfo(info);
}
