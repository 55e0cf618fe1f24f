import * as tf from '@tensorflow/tfjs-core';
import { ABS_SUM_KERNEL } from './abs-sum.ts';
import { chunkedAddN } from './add-n.ts';
import { BATCH_NORM_TRAIN_KERNELS } from './batch-norm-train.ts';
import { gemmConv2DBackpropFilter } from './conv2d-backprop-filter.ts';
import { OPTIMIZER_UPDATE_KERNELS } from './optimizer-update.ts';

/**
 * Kernels replaced for tfjs-backend-webgpu 4.22, as registerWasmTrainingKernels does for wasm:
 * - AddN: fails beyond 7 inputs (add-n.ts); wrapped to sum in chunks.
 * - Conv2DBackpropFilter: one thread per filter entry looping over the whole batch, 82% of a
 *   training step's GPU time in ../shared/gpu-probe; a tiled implicit GEMM for NHWC float32
 *   (conv2d-backprop-filter.ts), the backend's own kernel for the rest.
 * Each replacement keeps the backend's own kernel it wraps, found at registration.
 * Added beside them: training-mode BatchNorm (+ ReLU) forward and backward (batch-norm-train.ts),
 * the SGD and Adam parameter updates, one dispatch each (optimizer-update.ts), and Σ|x| for the
 * train step's finiteness check (abs-sum.ts).
 */
const WRAPPED: Record<string, (original: tf.KernelFunc) => tf.KernelFunc> = {
  [tf.AddN]: chunkedAddN,
  [tf.Conv2DBackpropFilter]: gemmConv2DBackpropFilter,
};

const ADDED: readonly tf.KernelConfig[] = [...BATCH_NORM_TRAIN_KERNELS, ...OPTIMIZER_UPDATE_KERNELS, ABS_SUM_KERNEL];

export const WEBGPU_KERNELS: readonly string[] = [...Object.keys(WRAPPED), ...ADDED.map((k) => k.kernelName)];

/** The wrappers installed, so that registering twice wraps the backend's own kernel once. */
const installed = new Map<string, tf.KernelFunc>();

/** Installs the kernels above for the 'webgpu' backend (after tfjs-backend-webgpu registered its own). Idempotent. */
export function registerWebgpuTrainingKernels(): void {
  for (const [name, wrap] of Object.entries(WRAPPED)) {
    const existing = tf.getKernel(name, 'webgpu');
    if (!existing) throw new Error(`tfjs-backend-webgpu registered no ${name} kernel to wrap`);
    if (existing.kernelFunc === installed.get(name)) continue;
    const kernelFunc = wrap(existing.kernelFunc);
    installed.set(name, kernelFunc);
    // Unregister first: registerKernel over an existing entry works but prints a warning.
    tf.unregisterKernel(name, 'webgpu');
    tf.registerKernel({ ...existing, kernelFunc });
  }
  for (const config of ADDED) {
    if (!tf.getKernel(config.kernelName, 'webgpu')) tf.registerKernel(config);
  }
}
