import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema, type PipelineConfig } from '@facemask/contracts';
import { checkTolerance, referenceCases, selectJson, type ReferenceCase } from '@facemask/contracts/reference';
import { engineUnderTest } from '@facemask/engine';
import { Adam, AdamW } from './adam.ts';
import { SGD } from './sgd.ts';
import { createOptimizer } from './factory.ts';
import type { OptimizerState, TorchOptimizer } from './optimizer.ts';

interface AdamStep {
  loss: number;
  grad_weight: number[][];
  grad_bias: number[];
  weight: number[][];
  bias: number[];
  exp_avg_weight: number[][];
  exp_avg_bias: number[];
  exp_avg_sq_weight: number[][];
  exp_avg_sq_bias: number[];
}
interface AdamRun {
  params: Record<string, unknown>;
  steps: AdamStep[];
}
interface LinearSetup {
  init: { weight: number[][]; bias: number[] };
  batch: { x: number[][]; y: number[][] };
}

const cases = referenceCases('adam_trajectory');

// Every test here runs on the engine under test (TFJS_BACKEND, default wasm).
let engine = '';
beforeAll(async () => {
  engine = await engineUnderTest();
});

/** torch.optim.Adam/AdamW keyword arguments as the config's optim section; an unknown one fails the case. */
function optimSection(c: ReferenceCase, params: Record<string, unknown>): PipelineConfig['optim'] {
  const names: Record<string, string> = { Adam: 'adam', AdamW: 'adamw' };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === 'optimizer') {
      if (!names[v as string]) throw new Error(`${c.id}: torch optimiser ${String(v)} has no counterpart here`);
      out.name = names[v as string];
    } else if (k === 'lr' || k === 'betas' || k === 'eps') out[k] = v;
    else if (k === 'weight_decay') out.weightDecay = v;
    else throw new Error(`${c.id}: torch Adam option "${k}" has no mapping to the optim section`);
  }
  return configSchema.shape.optim.parse(out);
}

/**
 * The model and batch the trajectories start from: beside the runs (adam.runs.<name> -> adam), or,
 * where the fixture says "init and batch as in sgd", those of the sgd trajectory cases in the file.
 */
function setupOf(c: ReferenceCase): LinearSetup {
  const path = c.select?.json_path ?? [];
  const here = selectJson({ ...c, select: { json_path: path.slice(0, -2) } }) as Partial<LinearSetup>;
  if (here.init && here.batch) return here as LinearSetup;
  const sgd = referenceCases('sgd_trajectory').find((s) => s.files.data === c.files.data);
  const there = sgd ? (selectJson({ ...sgd, select: { json_path: (sgd.select?.json_path ?? []).slice(0, -2) } }) as Partial<LinearSetup>) : {};
  if (!there.init || !there.batch) throw new Error(`${c.id}: no init/batch beside the run or in the sgd trajectories of ${c.files.data}`);
  return there as LinearSetup;
}

describe('Adam and AdamW against torch.optim trajectories', () => {
  it('the manifest has adam trajectory cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    it(`${c.id}: loss, gradients, parameters, exp_avg and exp_avg_sq after every step`, () => {
      const run = selectJson(c) as AdamRun;
      const { init, batch } = setupOf(c);
      // The fixture lists tolerances for params and loss; gradients and optimiser state are held to the params one.
      const tolP = c.tolerances.params as Record<string, unknown>;
      const tolL = c.tolerances.loss as Record<string, unknown>;
      const before = tf.memory().numTensors;
      const x = tf.tensor2d(batch.x);
      const y = tf.tensor2d(batch.y);
      // torch's Linear weight is [out, in]; kept in that layout, so y = x @ w^T + b.
      const w = tf.tidy(() => tf.variable(tf.tensor2d(init.weight)));
      const b = tf.tidy(() => tf.variable(tf.tensor1d(init.bias)));
      const opt = createOptimizer(optimSection(c, run.params), [w, b]);
      expect(opt.kind).toBe(String(run.params.optimizer).toLowerCase());
      const fails: string[] = [];
      const worst = new Map<string, { abs: number; rel: number }>();
      const check = (what: string, got: ArrayLike<number>, ref: ArrayLike<number>, tol: Record<string, unknown>) => {
        const r = checkTolerance(got, ref, tol);
        if (!r.ok) fails.push(`${what}: ${r.message}`);
        const key = what.replace(/^step \d+ /, '');
        const w = worst.get(key) ?? { abs: 0, rel: 0 };
        for (let k = 0; k < ref.length; k++) {
          const d = Math.abs((got[k] as number) - (ref[k] as number));
          w.abs = Math.max(w.abs, d);
          if (ref[k] !== 0) w.rel = Math.max(w.rel, d / Math.abs(ref[k] as number));
        }
        worst.set(key, w);
      };
      expect(run.steps.length).toBeGreaterThan(0);
      let tensorsAfterFirst = -1;
      run.steps.forEach((ref, i) => {
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w, false, true), b), y))) as tf.Scalar, [w, b]);
        check(`step ${i} loss`, value.dataSync(), [ref.loss], tolL);
        check(`step ${i} grad weight`, grads[w.name]!.dataSync(), ref.grad_weight.flat(), tolP);
        check(`step ${i} grad bias`, grads[b.name]!.dataSync(), ref.grad_bias, tolP);
        opt.step(grads);
        tf.dispose([value, ...Object.values(grads)]);
        check(`step ${i} weight`, w.dataSync(), ref.weight.flat(), tolP);
        check(`step ${i} bias`, b.dataSync(), ref.bias, tolP);
        const st = opt.getState();
        const [sw, sb] = st.params;
        check(`step ${i} exp_avg weight`, sw!.buffers.exp_avg!, ref.exp_avg_weight.flat(), tolP);
        check(`step ${i} exp_avg bias`, sb!.buffers.exp_avg!, ref.exp_avg_bias, tolP);
        check(`step ${i} exp_avg_sq weight`, sw!.buffers.exp_avg_sq!, ref.exp_avg_sq_weight.flat(), tolP);
        check(`step ${i} exp_avg_sq bias`, sb!.buffers.exp_avg_sq!, ref.exp_avg_sq_bias, tolP);
        expect(st.step).toBe(i + 1);
        if (i === 0) tensorsAfterFirst = tf.memory().numTensors;
        else expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
      });
      opt.dispose();
      tf.dispose([x, y, w, b]);
      expect(tf.memory().numTensors).toBe(before);
      if (process.env.PARITY_REPORT) {
        const lines = [...worst].map(([k, w]) => `${k}: max_abs ${w.abs.toExponential(2)}, max_rel ${w.rel.toExponential(2)}`);
        console.log(`${c.id} on ${engine} (${run.steps.length} steps):\n  ${lines.join('\n  ')}`);
      }
      expect(fails, `${c.id} on ${engine}`).toEqual([]);
    });
  }
});

/** One Adam step from zero state on a single parameter, returning the parameter's change. */
function firstStepDelta(make: (v: tf.Variable) => TorchOptimizer, p0: number[], g: number[]): number[] {
  const v = tf.tidy(() => tf.variable(tf.tensor1d(p0)));
  const opt = make(v);
  const gt = tf.tensor1d(g);
  opt.step([{ variable: v, grad: gt }]);
  const out = Array.from(v.dataSync(), (x, i) => x - p0[i]!);
  tf.dispose([gt, v]);
  opt.dispose();
  return out;
}

describe('Adam and AdamW: closed forms of the first step', () => {
  const p0 = [0.5, -1.25, 2, 0.75];
  const g = [0.004, -0.002, 0.0005, -0.0001];

  it('bias correction makes the first step -lr * g / (|g| + eps): eps outside the square root', () => {
    // After one step exp_avg/(1-b1) = g and sqrt(exp_avg_sq/(1-b2)) = |g|. With eps 1e-3 on
    // gradients of the same size, eps inside the square root would give a far smaller step.
    const lr = 0.01;
    const eps = 1e-3;
    const got = firstStepDelta((v) => new Adam([v], { lr, eps }), p0, g);
    got.forEach((d, i) => expect(d).toBeCloseTo((-lr * g[i]!) / (Math.abs(g[i]!) + eps), 6));
  });

  it('Adam adds wd * p to the gradient; AdamW scales p by 1 - lr * wd before the step', () => {
    const lr = 0.01;
    const wd = 0.1;
    const l2 = firstStepDelta((v) => new Adam([v], { lr, weightDecay: wd }), p0, g);
    l2.forEach((d, i) => {
      const gi = g[i]! + wd * p0[i]!;
      expect(d).toBeCloseTo((-lr * gi) / (Math.abs(gi) + 1e-8), 6);
    });
    const decoupled = firstStepDelta((v) => new AdamW([v], { lr, weightDecay: wd }), p0, g);
    decoupled.forEach((d, i) => expect(d).toBeCloseTo(-lr * wd * p0[i]! - (lr * g[i]!) / (Math.abs(g[i]!) + 1e-8), 6));
    expect(firstStepDelta((v) => new Adam([v], { lr }), p0, g)).toEqual(firstStepDelta((v) => new AdamW([v], { lr }), p0, g));
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
