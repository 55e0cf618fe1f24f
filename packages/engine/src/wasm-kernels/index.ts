// Imported first so wasm's own kernel registrations happen before ours replace any of them.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.ts';
import { maxPoolGradConfig } from './max-pool-grad.ts';
import { meanConfig, sumConfig } from './reduce-sum.ts';

/**
 * Kernels a ResNet training step needs on tfjs-backend-wasm 4.22 beyond what it ships, found by
 * running conv(explicit pad + 'valid' / 'same') → batchNorm (training moments) → relu → maxPool
 * 3x3/2 → residual add → global average pool → dense → softmax cross-entropy under
 * tf.variableGrads on wasm and comparing every kernel's result with the cpu backend:
 * - Conv2DBackpropFilter: not registered at all ("Kernel 'Conv2DBackpropFilter' not registered").
 * - MaxPoolGrad: registered but wrong (see max-pool-grad.ts), so it is replaced.
 * - Conv2DBackpropInput: registered and right, but a plain loop that took most of a training
 *   step; replaced by a conv2d on XNNPACK (see conv2d-backprop-input.ts).
 * - Sum, Mean: float32 accumulation; BatchNorm gradients (large sums that cancel) came out
 *   percent-level wrong on the torch train-step fixture, so float32 input is summed in float64
 *   (see reduce-sum.ts).
 * Every other kernel the step touches (AvgPoolGrad, FusedConv2D,
 * FusedBatchNorm, _FusedMatMul, Relu/Step, Tile, PadV2, Slice, …) exists and agrees
 * with cpu to float rounding, including non-square inputs and odd/even sizes.
 */
const TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  maxPoolGradConfig,
  sumConfig,
  meanConfig,
];

export const WASM_TRAINING_KERNELS: readonly string[] = TRAINING_KERNELS.map((k) => k.kernelName);

/** Installs the kernels above for the 'wasm' backend. Safe to call any number of times. */
export function registerWasmTrainingKernels(): void {
  for (const config of TRAINING_KERNELS) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) continue;
    // Unregister first: registerKernel over an existing entry works but prints a warning.
    if (existing) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
}
