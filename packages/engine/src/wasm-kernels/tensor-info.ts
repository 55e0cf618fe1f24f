import * as tf from '@tensorflow/tfjs-core';

/**
 * Kernels receive Tensors when called through ops but bare TensorInfos when another kernel calls
 * them directly. Wrapping a TensorInfo adds a reference to the same data (no copy); the wrapper
 * is tracked by the enclosing tf.tidy, so disposing it never frees the caller's data.
 */
export function asTensor(info: tf.TensorInfo): tf.Tensor {
  return info instanceof tf.Tensor ? info : tf.engine().makeTensorFromTensorInfo(info);
}

/**
 * A conv's padding for its NHWC twin: explicit NCHW padding [[n], [c], [h], [w]] reorders to
 * [[n], [h], [w], [c]]; named and numeric padding mean the same in both layouts.
 */
export function nhwcPad<P>(pad: P, dataFormat: string | undefined): P {
  return dataFormat === 'NCHW' && Array.isArray(pad) ? ([pad[0], pad[2], pad[3], pad[1]] as P) : pad;
}
