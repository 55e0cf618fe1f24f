import { activeBackendHas, SGD_UPDATE } from '@facemask/engine/kernel-names';
import * as tf from '@tensorflow/tfjs-core';
import { TorchOptimizer } from './optimizer.ts';

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/**
 * torch.optim.SGD: g += wd*p (biases included); buf = g on the first step, then
 * buf = m*buf + (1-dampening)*g; the step uses buf, or g + m*buf with nesterov; p -= lr*step.
 */
export class SGD extends TorchOptimizer {
  readonly kind = 'sgd' as const;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;

  constructor(params: readonly tf.Variable[], opts: SgdOptions) {
    super(params, opts.lr);
    this.momentum = opts.momentum ?? 0;
    this.dampening = opts.dampening ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.nesterov = opts.nesterov ?? false;
    if (!(this.momentum >= 0)) throw new Error(`SGD momentum must be >= 0, got ${this.momentum}`);
    if (!(this.weightDecay >= 0)) throw new Error(`SGD weight decay must be >= 0, got ${this.weightDecay}`);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error('SGD nesterov needs momentum > 0 and dampening 0 (as torch.optim.SGD requires)');
    }
  }

  protected update(param: tf.Variable, grad: tf.Tensor, _step: number, buffer: (name: string) => tf.Tensor | undefined) {
    const prev = buffer('momentum');
    if (activeBackendHas(SGD_UPDATE)) {
      const attrs = { lr: this.lr, momentum: this.momentum, dampening: this.dampening, weightDecay: this.weightDecay, nesterov: this.nesterov };
      const [next, buf] = tf.engine().runKernel(SGD_UPDATE, { param, grad, ...(prev ? { momentum: prev } : {}) }, attrs) as tf.Tensor[];
      return { param: next!, buffers: buf ? { momentum: buf } : {} };
    }
    let d: tf.Tensor = this.weightDecay !== 0 ? tf.add(grad, tf.mul(param, this.weightDecay)) : grad;
    const buffers: Record<string, tf.Tensor> = {};
    if (this.momentum !== 0) {
      const damped = this.dampening !== 0 ? tf.mul(d, 1 - this.dampening) : d;
      const buf = prev ? tf.add(tf.mul(prev, this.momentum), damped) : tf.clone(d);
      buffers.momentum = buf;
      d = this.nesterov ? tf.add(d, tf.mul(buf, this.momentum)) : buf;
    }
    return { param: tf.sub(param, tf.mul(d, this.lr)), buffers };
  }
}
