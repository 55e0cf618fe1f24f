import * as tf from '@tensorflow/tfjs-core';

/** Gradients for some of an optimiser's parameters; parameters without one are left alone (torch: grad None). */
export type GradInput =
  | Map<tf.Variable, tf.Tensor>
  | readonly { variable: tf.Variable; grad: tf.Tensor }[]
  /** tf.variableGrads(...).grads: keyed by variable name. */
  | tf.NamedTensorMap;

export type OptimizerKind = 'sgd' | 'adam' | 'adamw';

/** Plain data: survives structuredClone / a safetensors+JSON round trip, restores bit-exactly. */
export interface OptimizerState {
  kind: OptimizerKind;
  lr: number;
  /** Number of step() calls. */
  step: number;
  /** One entry per parameter, in construction order. */
  params: {
    name: string;
    shape: number[];
    /** Updates this parameter received (torch keeps the count per parameter). */
    step: number;
    buffers: Record<string, Float32Array>;
  }[];
}

interface ParamSlot {
  variable: tf.Variable;
  step: number;
  buffers: Map<string, tf.Tensor>;
}

/**
 * Base of the torch-semantics optimisers: owns the parameter list and per-parameter state
 * tensors; subclasses compute one parameter's update. Gradients stay owned by the caller.
 */
export abstract class TorchOptimizer {
  abstract readonly kind: OptimizerKind;
  private readonly slots: ParamSlot[];
  private readonly byVariable = new Map<tf.Variable, ParamSlot>();
  private readonly byName = new Map<string, ParamSlot>();
  private lrValue: number;
  private steps = 0;

  protected constructor(params: readonly tf.Variable[], lr: number) {
    if (params.length === 0) throw new Error('optimiser: no parameters to optimise');
    this.lrValue = checkLr(lr);
    this.slots = params.map((variable) => {
      if (variable.dtype !== 'float32') throw new Error(`optimiser: parameter ${variable.name} is ${variable.dtype}, expected float32`);
      if (this.byVariable.has(variable)) throw new Error(`optimiser: parameter ${variable.name} is listed twice`);
      const slot: ParamSlot = { variable, step: 0, buffers: new Map() };
      this.byVariable.set(variable, slot);
      this.byName.set(variable.name, slot);
      return slot;
    });
  }

  get lr(): number {
    return this.lrValue;
  }

  set lr(value: number) {
    this.lrValue = checkLr(value);
  }

  get stepCount(): number {
    return this.steps;
  }

  get params(): tf.Variable[] {
    return this.slots.map((s) => s.variable);
  }

  /** One optimisation step over the parameters that have a gradient. */
  step(grads: GradInput): void {
    const pairs = this.resolve(grads);
    for (const [slot, grad] of pairs) {
      if (!sameShape(grad.shape, slot.variable.shape)) {
        throw new Error(`optimiser: gradient for ${slot.variable.name} has shape [${grad.shape.join(',')}], parameter [${slot.variable.shape.join(',')}]`);
      }
    }
    for (const [slot, grad] of pairs) {
      slot.step++;
      const next = tf.tidy(() => {
        // A float32 cast of float32 is still a kernel call (a copy on the native engine).
        const g = grad.dtype === 'float32' ? grad : tf.cast(grad, 'float32');
        const out = this.update(slot.variable, g, slot.step, (name) => slot.buffers.get(name));
        return { param: out.param, buffers: out.buffers };
      });
      slot.variable.assign(next.param);
      if (next.param !== slot.variable) next.param.dispose();
      for (const [name, t] of Object.entries(next.buffers)) {
        const old = slot.buffers.get(name);
        if (old && old !== t) old.dispose();
        slot.buffers.set(name, t);
      }
    }
    this.steps++;
  }

  /**
   * New parameter value and state buffers for one parameter (called inside tidy).
   * `step` is this parameter's update count including the current one (1 on the first update).
   */
  protected abstract update(
    param: tf.Variable,
    grad: tf.Tensor,
    step: number,
    buffer: (name: string) => tf.Tensor | undefined,
  ): { param: tf.Tensor; buffers: Record<string, tf.Tensor> };

  getState(): OptimizerState {
    return {
      kind: this.kind,
      lr: this.lrValue,
      step: this.steps,
      params: this.slots.map((s) => ({
        name: s.variable.name,
        shape: [...s.variable.shape],
        step: s.step,
        buffers: Object.fromEntries([...s.buffers].map(([k, t]) => [k, new Float32Array(t.dataSync() as Float32Array)])),
      })),
    };
  }

  /** Restores getState() output onto this optimiser's parameters (same order and shapes). */
  setState(state: OptimizerState): void {
    if (state.kind !== this.kind) throw new Error(`optimiser state is for ${state.kind}, this optimiser is ${this.kind}`);
    if (state.params.length !== this.slots.length) {
      throw new Error(`optimiser state has ${state.params.length} parameters, this optimiser ${this.slots.length}: was the model or its frozen layers changed?`);
    }
    state.params.forEach((p, i) => {
      const slot = this.slots[i]!;
      if (!sameShape(p.shape, slot.variable.shape)) {
        throw new Error(`optimiser state parameter ${i} (${p.name}) has shape [${p.shape.join(',')}], parameter ${slot.variable.name} [${slot.variable.shape.join(',')}]`);
      }
      const size = p.shape.reduce((a, b) => a * b, 1);
      for (const [name, data] of Object.entries(p.buffers)) {
        if (data.length !== size) throw new Error(`optimiser state buffer ${name} of ${p.name} has ${data.length} values, expected ${size}`);
      }
    });
    this.lrValue = checkLr(state.lr);
    this.steps = state.step;
    state.params.forEach((p, i) => {
      const slot = this.slots[i]!;
      for (const t of slot.buffers.values()) t.dispose();
      slot.buffers.clear();
      slot.step = p.step;
      for (const [name, data] of Object.entries(p.buffers)) slot.buffers.set(name, tf.tensor(Float32Array.from(data), p.shape, 'float32'));
    });
  }

  /** Frees the state buffers (not the parameters). */
  dispose(): void {
    for (const s of this.slots) {
      for (const t of s.buffers.values()) t.dispose();
      s.buffers.clear();
    }
  }

  private resolve(grads: GradInput): [ParamSlot, tf.Tensor][] {
    const out: [ParamSlot, tf.Tensor][] = [];
    const add = (slot: ParamSlot | undefined, grad: tf.Tensor, label: string) => {
      if (!slot) throw new Error(`optimiser: got a gradient for ${label}, which is not one of its parameters`);
      if (out.some(([s]) => s === slot)) throw new Error(`optimiser: two gradients for ${slot.variable.name}`);
      out.push([slot, grad]);
    };
    if (grads instanceof Map) {
      for (const [v, g] of grads) add(this.byVariable.get(v), g, v.name);
    } else if (Array.isArray(grads)) {
      for (const { variable, grad } of grads as readonly { variable: tf.Variable; grad: tf.Tensor }[]) add(this.byVariable.get(variable), grad, variable.name);
    } else {
      for (const [name, g] of Object.entries(grads as tf.NamedTensorMap)) add(this.byName.get(name), g, name);
    }
    return out;
  }
}

function checkLr(lr: number): number {
  if (!Number.isFinite(lr) || lr < 0) throw new Error(`learning rate must be finite and >= 0, got ${lr}`);
  return lr;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
