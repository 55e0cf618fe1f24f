import type * as tf from '@tensorflow/tfjs-core';

interface WebgpuBackendLike extends tf.KernelBackend {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
}

/**
 * AddN with any number of inputs. tfjs-backend-webgpu 4.22 binds every input of its AddN shader
 * as a storage buffer, and WebGPU allows 8 per shader stage by default (tfjs does not ask for
 * more), so tf.addN of more than 7 tensors fails with "The number of storage buffers (67) in the
 * Compute stage exceeds the maximum per-stage limit (8)" (the train step's gradient-size sum over
 * ResNet-18's parameters did). This sums chunks of at most limit - 1 inputs with the backend's
 * own kernel, then the partial sums, until one chunk is left.
 */
export function chunkedAddN(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as WebgpuBackendLike;
    const tensors = args.inputs as unknown as tf.TensorInfo[];
    const chunk = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    if (tensors.length <= chunk) return original(args);
    const partial: tf.TensorInfo[] = [];
    let level = tensors;
    while (level.length > chunk) {
      const next: tf.TensorInfo[] = [];
      for (let i = 0; i < level.length; i += chunk) {
        const part = level.slice(i, i + chunk);
        if (part.length === 1) {
          next.push(part[0]!);
          continue;
        }
        const sum = original({ inputs: part as unknown as tf.NamedTensorInfoMap, backend, attrs: {} }) as tf.TensorInfo;
        partial.push(sum);
        next.push(sum);
      }
      level = next;
    }
    const out = original({ inputs: level as unknown as tf.NamedTensorInfoMap, backend, attrs: {} });
    // The partial sums are this kernel's own; the inputs belong to the caller.
    for (const t of partial) backend.disposeData(t.dataId);
    return out;
  };
}
