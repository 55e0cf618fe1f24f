import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendsUnderTest, configSchema, Rng, useBackendUnderTest } from '@facemask/core';
import { Adam, AdamW } from './adam.ts';
import { SGD } from './sgd.ts';
import { createOptimizer } from './factory.ts';
import type { OptimizerState, TorchOptimizer } from './optimizer.ts';

/** torch 1.13 Adam/AdamW written out in float64, one parameter vector, no shared code with adam.ts. */
function adamReference(
  p0: number[],
  grads: number[][],
  o: { lr: number; b1: number; b2: number; eps: number; wd: number; decoupled: boolean; epsInsideSqrt?: boolean },
): number[][] {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const out: number[][] = [];
  grads.forEach((g0, s) => {
    const t = s + 1;
    for (let i = 0; i < p.length; i++) {
      let g = g0[i]!;
      if (o.decoupled) p[i] = p[i]! * (1 - o.lr * o.wd);
      else g = g + o.wd * p[i]!;
      m[i] = o.b1 * m[i]! + (1 - o.b1) * g;
      v[i] = o.b2 * v[i]! + (1 - o.b2) * g * g;
      const mHat = m[i]! / (1 - o.b1 ** t);
      const vHat = v[i]! / (1 - o.b2 ** t);
      const denom = o.epsInsideSqrt ? Math.sqrt(vHat + o.eps) : Math.sqrt(v[i]!) / Math.sqrt(1 - o.b2 ** t) + o.eps;
      p[i] = p[i]! - o.lr * (mHat / denom);
    }
    out.push([...p]);
  });
  return out;
}

const rng = new Rng(20240611);
const N = 7;
const p0 = Array.from({ length: N }, () => rng.normal(0, 1));
const gradSeq = Array.from({ length: 6 }, () => Array.from({ length: N }, () => rng.normal(0, 0.5)));

function runTf(make: (v: tf.Variable) => TorchOptimizer, grads = gradSeq): number[][] {
  const v = tf.tidy(() => tf.variable(tf.tensor1d(p0)));
  const opt = make(v);
  const out: number[][] = [];
  for (const g of grads) {
    const gt = tf.tensor1d(g);
    opt.step([{ variable: v, grad: gt }]);
    gt.dispose();
    out.push(Array.from(v.dataSync()));
  }
  opt.dispose();
  v.dispose();
  return out;
}

function expectClose(got: number[][], want: number[][], tol: number): void {
  got.forEach((row, s) => row.forEach((x, i) => expect(Math.abs(x - want[s]![i]!), `step ${s} elem ${i}`).toBeLessThan(tol * (1 + Math.abs(want[s]![i]!)))));
}

describe.each(backendsUnderTest())('Adam and AdamW with torch semantics on %s', (backend) => {
  beforeAll(async () => {
    await useBackendUnderTest(backend);
  });

  const base = { lr: 0.01, b1: 0.9, b2: 0.999, eps: 1e-8 };
  for (const wd of [0, 0.05]) {
    it(`Adam (L2 weight decay ${wd}) follows the float64 reference`, () => {
      const got = runTf((v) => new Adam([v], { lr: base.lr, betas: [base.b1, base.b2], eps: base.eps, weightDecay: wd }));
      expectClose(got, adamReference(p0, gradSeq, { ...base, wd, decoupled: false }), 2e-6);
    });
    it(`AdamW (decoupled weight decay ${wd}) follows the float64 reference`, () => {
      const got = runTf((v) => new AdamW([v], { lr: base.lr, betas: [base.b1, base.b2], eps: base.eps, weightDecay: wd }));
      expectClose(got, adamReference(p0, gradSeq, { ...base, wd, decoupled: true }), 2e-6);
    });
  }

  it('adds eps outside the square root, after bias correction', () => {
    const small = gradSeq.map((g) => g.map((x) => x * 0.02));
    const o = { ...base, eps: 1e-3, wd: 0, decoupled: false };
    const got = runTf((v) => new Adam([v], { lr: o.lr, eps: o.eps }), small);
    expectClose(got, adamReference(p0, small, o), 2e-6);
    const inside = adamReference(p0, small, { ...o, epsInsideSqrt: true });
    expect(Math.max(...got.at(-1)!.map((x, i) => Math.abs(x - inside.at(-1)![i]!)))).toBeGreaterThan(1e-3);
  });

  it('bias correction makes the first step lr * sign(g), and Adam and AdamW differ only with decay', () => {
    const first = runTf((v) => new Adam([v], { lr: 0.01 }))[0]!;
    first.forEach((x, i) => expect(x - p0[i]!).toBeCloseTo(-0.01 * Math.sign(gradSeq[0]![i]!), 6));
    const a = runTf((v) => new Adam([v], { lr: 0.01, weightDecay: 0.1 }));
    const w = runTf((v) => new AdamW([v], { lr: 0.01, weightDecay: 0.1 }));
    expect(Math.max(...a.at(-1)!.map((x, i) => Math.abs(x - w.at(-1)![i]!)))).toBeGreaterThan(1e-4);
    expect(runTf((v) => new Adam([v], { lr: 0.01 }))).toEqual(runTf((v) => new AdamW([v], { lr: 0.01 })));
  });
});

describe('optimiser state: checkpoint and resume', () => {
  const optim = (input: Record<string, unknown>) => configSchema.shape.optim.parse(input);
  const configs = {
    sgd: optim({ name: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }),
    adam: optim({ name: 'adam', lr: 0.01, weightDecay: 1e-3 }),
    adamw: optim({ name: 'adamw', lr: 0.01, weightDecay: 1e-2 }),
  };
  const x = [
    [0.5, -1.0, 0.25],
    [1.5, 0.3, -0.7],
    [-0.2, 0.8, 1.1],
    [0.9, -0.4, 0.0],
  ];
  const y = [[1], [-1], [0.5], [0.2]];
  const w0 = [[0.1], [-0.2], [0.3]];
  const b0 = [0.05];

  /** Trains a Linear(3,1) on MSE for `steps` steps from the given weights, optionally resuming a state. */
  function train(name: keyof typeof configs, steps: number, from: { w: number[][]; b: number[]; state?: OptimizerState; lr?: number }) {
    const w = tf.tidy(() => tf.variable(tf.tensor2d(from.w)));
    const b = tf.tidy(() => tf.variable(tf.tensor1d(from.b)));
    const xt = tf.tensor2d(x);
    const yt = tf.tensor2d(y);
    const opt = createOptimizer(configs[name], [w, b]);
    if (from.state) opt.setState(from.state);
    if (from.lr !== undefined) opt.lr = from.lr;
    const counts: number[] = [];
    for (let s = 0; s < steps; s++) {
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(xt, w), b), yt))), [w, b]);
      opt.step(grads);
      tf.dispose([value, ...Object.values(grads)]);
      counts.push(tf.memory().numTensors);
    }
    const out = {
      w: (w.arraySync() as number[][]).map((r) => [...r]),
      b: [...(b.dataSync() as Float32Array)],
      wBits: new Float32Array(w.dataSync()),
      bBits: new Float32Array(b.dataSync()),
      state: structuredClone(opt.getState()),
      counts,
    };
    opt.dispose();
    tf.dispose([w, b, xt, yt]);
    return out;
  }

  for (const name of Object.keys(configs) as (keyof typeof configs)[]) {
    it(`${name}: 3 steps + checkpoint + 3 steps is bit-identical to 6 steps, with flat tensor counts`, () => {
      const before = tf.memory().numTensors;
      const straight = train(name, 6, { w: w0, b: b0, lr: 0.02 });
      const first = train(name, 3, { w: w0, b: b0, lr: 0.02 });
      const resumed = train(name, 3, { w: first.w, b: first.b, state: first.state });
      expect(resumed.wBits).toEqual(straight.wBits);
      expect(resumed.bBits).toEqual(straight.bBits);
      expect(resumed.state.step).toBe(6);
      expect(resumed.state.lr).toBe(0.02);
      expect(resumed.state.params.map((p) => p.step)).toEqual([6, 6]);
      for (const [i, p] of resumed.state.params.entries()) {
        for (const [k, buf] of Object.entries(p.buffers)) expect(buf, `${name} ${k}`).toEqual(straight.state.params[i]!.buffers[k]);
      }
      expect(Object.keys(straight.state.params[0]!.buffers).sort()).toEqual(name === 'sgd' ? ['momentum'] : ['exp_avg', 'exp_avg_sq']);
      // buffers are made on the first step; after that the count stays flat
      expect(new Set(straight.counts.slice(1)).size).toBe(1);
      expect(straight.counts[0]).toBe(straight.counts[1]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('rejects mismatched state, gradients and settings with the reason', () => {
    const w = tf.tidy(() => tf.variable(tf.zeros([2, 2])));
    const b = tf.tidy(() => tf.variable(tf.zeros([2])));
    const stranger = tf.tidy(() => tf.variable(tf.zeros([2])));
    const sgd = new SGD([w, b], { lr: 0.1, momentum: 0.9 });
    const adam = new Adam([w, b], { lr: 0.1 });
    const g = tf.zeros([3]);
    expect(() => sgd.step([{ variable: b, grad: g }])).toThrow(/gradient for .* has shape \[3\], parameter \[2\]/);
    expect(() => sgd.step(new Map([[stranger, g]]))).toThrow(/not one of its parameters/);
    expect(() => sgd.step({ nope: g })).toThrow(/gradient for nope/);
    expect(() => adam.setState(sgd.getState())).toThrow(/state is for sgd, this optimiser is adam/);
    const other = new SGD([w], { lr: 0.1 });
    expect(() => other.setState(sgd.getState())).toThrow(/2 parameters, this optimiser 1/);
    expect(() => (sgd.lr = -1)).toThrow(/learning rate/);
    expect(() => new SGD([w], { lr: 0.1, nesterov: true })).toThrow(/nesterov needs momentum/);
    expect(() => new Adam([w], { lr: 0.1, betas: [1, 0.9] })).toThrow(/beta1/);
    sgd.lr = 0;
    expect(sgd.lr).toBe(0);
    tf.dispose([w, b, stranger, g]);
  });
});
