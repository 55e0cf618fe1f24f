import * as tf from '@tensorflow/tfjs-core';
import { TorchOptimizer } from './optimizer.ts';

export interface AdamOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

abstract class AdamBase extends TorchOptimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  protected constructor(params: readonly tf.Variable[], opts: AdamOptions) {
    super(params, opts.lr);
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    for (const [k, b] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(b >= 0 && b < 1)) throw new Error(`Adam ${k} must be in [0, 1), got ${b}`);
    }
    if (!(this.eps >= 0)) throw new Error(`Adam eps must be >= 0, got ${this.eps}`);
    if (!(this.weightDecay >= 0)) throw new Error(`Adam weight decay must be >= 0, got ${this.weightDecay}`);
  }

  /** torch 1.13 _single_tensor_adam after any weight decay: bias-corrected step, eps outside the sqrt. */
  protected adamStep(param: tf.Tensor, grad: tf.Tensor, step: number, buffer: (name: string) => tf.Tensor | undefined) {
    const m0 = buffer('exp_avg');
    const v0 = buffer('exp_avg_sq');
    const m = tf.add(m0 ? tf.mul(m0, this.beta1) : tf.zerosLike(grad), tf.mul(grad, 1 - this.beta1));
    const v = tf.add(v0 ? tf.mul(v0, this.beta2) : tf.zerosLike(grad), tf.mul(tf.mul(grad, grad), 1 - this.beta2));
    const bc1 = 1 - this.beta1 ** step;
    const bc2Sqrt = Math.sqrt(1 - this.beta2 ** step);
    const stepSize = this.lr / bc1;
    const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), this.eps);
    return { param: tf.sub(param, tf.mul(tf.div(m, denom), stepSize)), buffers: { exp_avg: m, exp_avg_sq: v } };
  }
}

/** torch.optim.Adam: weight decay is L2, added to the gradient. */
export class Adam extends AdamBase {
  readonly kind = 'adam' as const;

  constructor(params: readonly tf.Variable[], opts: AdamOptions) {
    super(params, opts);
  }

  protected update(param: tf.Variable, grad: tf.Tensor, step: number, buffer: (name: string) => tf.Tensor | undefined) {
    const g = this.weightDecay !== 0 ? tf.add(grad, tf.mul(param, this.weightDecay)) : grad;
    return this.adamStep(param, g, step, buffer);
  }
}

/** torch.optim.AdamW: decoupled decay p *= 1 - lr*wd before the Adam step (torch's default wd is 1e-2; here the caller's). */
export class AdamW extends AdamBase {
  readonly kind = 'adamw' as const;

  constructor(params: readonly tf.Variable[], opts: AdamOptions) {
    super(params, opts);
  }

  protected update(param: tf.Variable, grad: tf.Tensor, step: number, buffer: (name: string) => tf.Tensor | undefined) {
    const decayed = this.weightDecay !== 0 ? tf.mul(param, 1 - this.lr * this.weightDecay) : param;
    return this.adamStep(decayed, grad, step, buffer);
  }
}
