import * as tf from '@tensorflow/tfjs-core';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from '../kernel-names.ts';
import {
  dxFactorsProgram,
  dxProgram,
  gradSlicesProgram,
  gradSumProgram,
  meanProgram,
  normalizeProgram,
  planUniforms,
  slicePlan,
  statsSlicesProgram,
  varianceProgram,
  type SlicePlan,
} from './batch-norm-programs.ts';
import type { WebgpuBackendLike } from './program.ts';

/**
 * Training-mode BatchNorm (+ ReLU) for tfjs-backend-webgpu as two kernels (see ../kernel-names.ts):
 * 4 dispatches forward and 5 backward, where the composite of stock ops that model-resnet's
 * batchNormTrain falls back to is a few dozen small ones, each costing host-side encoding time.
 */

function planFor(x: tf.TensorInfo, perChannel: tf.TensorInfo[], kernel: string): SlicePlan {
  if (x.dtype !== 'float32') throw new Error(`${kernel} (webgpu): x must be float32, got ${x.dtype}`);
  const channels = x.shape[x.shape.length - 1];
  if (x.shape.length < 2 || !channels) throw new Error(`${kernel} (webgpu): x must have a batch axis and channels last, got [${x.shape}]`);
  const rows = x.shape.reduce((a, b) => a * b, 1) / channels;
  if (rows === 0) throw new Error(`${kernel} (webgpu): x is empty ([${x.shape}]): no batch statistics`);
  for (const t of perChannel) {
    if (t.shape.length !== 1 || t.shape[0] !== channels) throw new Error(`${kernel} (webgpu): expected [${channels}] per-channel inputs, got [${t.shape}]`);
  }
  return slicePlan(rows, channels);
}

function batchNormTrain(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const { x, gamma, beta } = args.inputs as Record<'x' | 'gamma' | 'beta', tf.TensorInfo>;
  const { epsilon, relu } = args.attrs as unknown as { epsilon: number; relu: boolean };
  const backend = args.backend as WebgpuBackendLike;
  const p = planFor(x, [gamma, beta], BATCH_NORM_TRAIN);
  const u = planUniforms(p, epsilon);
  const sums = backend.runWebGPUProgram(statsSlicesProgram(p), [x], 'float32', u);
  const mean = backend.runWebGPUProgram(meanProgram(p.channels), [sums], 'float32', u);
  const variance = backend.runWebGPUProgram(varianceProgram(p.channels), [sums, mean], 'float32', u);
  backend.disposeData(sums.dataId);
  const y = backend.runWebGPUProgram(normalizeProgram(x.shape, Boolean(relu)), [x, mean, variance, gamma, beta], 'float32', u);
  return [y, mean, variance];
}

function batchNormTrainGrad(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const { dy, x, mean, variance, gamma, y } = args.inputs as Record<'dy' | 'x' | 'mean' | 'variance' | 'gamma', tf.TensorInfo> & { y?: tf.TensorInfo };
  const { epsilon } = args.attrs as unknown as { epsilon: number };
  const backend = args.backend as WebgpuBackendLike;
  const p = planFor(x, [mean, variance, gamma], BATCH_NORM_TRAIN_GRAD);
  for (const t of y ? [dy, y] : [dy]) {
    if (!tf.util.arraysEqual(t.shape, x.shape)) throw new Error(`${BATCH_NORM_TRAIN_GRAD} (webgpu): dy and y must have x's shape [${x.shape}], got [${t.shape}]`);
  }
  const u = planUniforms(p, epsilon);
  const relu = y !== undefined;
  const sums = backend.runWebGPUProgram(gradSlicesProgram(p, relu), relu ? [dy, x, mean, variance, y] : [dy, x, mean, variance], 'float32', u);
  const dBeta = backend.runWebGPUProgram(gradSumProgram(p.channels, 0), [sums], 'float32', u);
  const dGamma = backend.runWebGPUProgram(gradSumProgram(p.channels, 1), [sums], 'float32', u);
  backend.disposeData(sums.dataId);
  const factors = backend.runWebGPUProgram(dxFactorsProgram(p.channels), [dBeta, dGamma, variance, gamma], 'float32', u);
  const dx = backend.runWebGPUProgram(dxProgram(x.shape, relu), relu ? [dy, x, mean, factors, y] : [dy, x, mean, factors], 'float32', u);
  backend.disposeData(factors.dataId);
  return [dx, dGamma, dBeta];
}

export const BATCH_NORM_TRAIN_KERNELS: readonly tf.KernelConfig[] = [
  { kernelName: BATCH_NORM_TRAIN, backendName: 'webgpu', kernelFunc: batchNormTrain as tf.KernelFunc },
  { kernelName: BATCH_NORM_TRAIN_GRAD, backendName: 'webgpu', kernelFunc: batchNormTrainGrad as tf.KernelFunc },
];
