import { activeBackendHas, ADAM_UPDATE } from '@facemask/engine/kernel-names';
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
  /** AdamW's decay of the parameter before the step, instead of Adam's L2 term in the gradient. */
  protected abstract readonly decoupled: boolean;

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

  protected update(param: tf.Variable, grad: tf.Tensor, step: number, buffer: (name: string) => tf.Tensor | undefined) {
    const [m0, v0] = [buffer('exp_avg'), buffer('exp_avg_sq')];
    if (activeBackendHas(ADAM_UPDATE)) {
      const attrs = { lr: this.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay, decoupled: this.decoupled, step };
      const [next, m, v] = tf.engine().runKernel(ADAM_UPDATE, { param, grad, ...(m0 && v0 ? { expAvg: m0, expAvgSq: v0 } : {}) }, attrs) as tf.Tensor[];
      return { param: next!, buffers: { exp_avg: m!, exp_avg_sq: v! } };
    }
    if (this.weightDecay === 0) return this.adamStep(param, grad, step, m0, v0);
    if (this.decoupled) return this.adamStep(tf.mul(param, 1 - this.lr * this.weightDecay), grad, step, m0, v0);
    return this.adamStep(param, tf.add(grad, tf.mul(param, this.weightDecay)), step, m0, v0);
  }

  /** torch 1.13 _single_tensor_adam after any weight decay: bias-corrected step, eps outside the sqrt. */
  private adamStep(param: tf.Tensor, grad: tf.Tensor, step: number, m0: tf.Tensor | undefined, v0: tf.Tensor | undefined) {
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
  protected readonly decoupled = false;

  constructor(params: readonly tf.Variable[], opts: AdamOptions) {
    super(params, opts);
  }
}

/** torch.optim.AdamW: decoupled decay p *= 1 - lr*wd before the Adam step (torch's default wd is 1e-2; here the caller's). */
export class AdamW extends AdamBase {
  readonly kind = 'adamw' as const;
  protected readonly decoupled = true;

  constructor(params: readonly tf.Variable[], opts: AdamOptions) {
    super(params, opts);
  }
}
