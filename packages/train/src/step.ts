import { ABS_SUM, activeBackendHas } from '@facemask/engine/kernel-names';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { TorchOptimizer } from './optim/optimizer.ts';
import type { HeadAdapter } from './head.ts';

export class DivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DivergedError';
  }
}

export function outputsOf(y: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(y) ? y : [y];
}

/** The variables an optimiser updates: the model's trainable weights, in model order. */
export function trainableVariables(model: LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * One optimisation step; returns the batch loss. BatchNorm statistics update inside the forward
 * pass (training mode). A non-finite loss, or a non-finite gradient under a finite loss (a
 * division by zero or a square root at 0 in the backward pass), stops before the weights change.
 */
export function trainStep(model: LayersModel, head: HeadAdapter, optimizer: TorchOptimizer, x: tf.Tensor, y: tf.Tensor2D): number {
  const vars = optimizer.params;
  const { value, grads } = tf.variableGrads(() => head.loss(outputsOf(model.apply(x, { training: true }) as tf.Tensor | tf.Tensor[]), y), vars);
  try {
    // One read per step for both: the loss and the gradients' global L1 norm, which is NaN or
    // infinite as soon as one gradient is.
    const l1 = activeBackendHas(ABS_SUM) ? (g: tf.Tensor) => tf.engine().runKernel(ABS_SUM, { x: g }) as tf.Tensor : (g: tf.Tensor) => tf.sum(tf.abs(g));
    const read = tf.tidy(() => tf.stack([tf.reshape(value, []), tf.addN(Object.values(grads).map(l1))]));
    const [loss, gradNorm] = Array.from(read.dataSync()) as [number, number];
    read.dispose();
    if (!Number.isFinite(loss)) throw new DivergedError(`loss is ${loss}`);
    if (!Number.isFinite(gradNorm)) throw new DivergedError(`a gradient is ${Number.isNaN(gradNorm) ? 'NaN' : 'infinite'} while the loss (${loss}) is finite`);
    optimizer.step(grads);
    return loss;
  } finally {
    value.dispose();
    tf.dispose(grads);
  }
}

/** Probabilities [n, 18] and the summed loss (when targets are given) of one evaluation batch. */
export function evalBatch(model: LayersModel, head: Pick<HeadAdapter, 'probs'>, views: tf.Tensor[], y: tf.Tensor2D | null): { probs: Float32Array; lossSum: number } {
  return tf.tidy(() => {
    const probsPerView = views.map((v) => head.probs(outputsOf(model.apply(v, { training: false }) as tf.Tensor | tf.Tensor[])));
    const probs = probsPerView.length === 1 ? (probsPerView[0] as tf.Tensor2D) : (tf.div(tf.addN(probsPerView), probsPerView.length) as tf.Tensor2D);
    let lossSum = 0;
    if (y) {
      // Cross-entropy of the (averaged) probabilities: comparable across heads and losses.
      const ce = tf.neg(tf.sum(tf.mul(y, tf.log(tf.clipByValue(probs, 1e-7, 1)))));
      lossSum = (ce.dataSync() as Float32Array)[0] as number;
    }
    return { probs: new Float32Array(probs.dataSync()), lossSum };
  });
}
