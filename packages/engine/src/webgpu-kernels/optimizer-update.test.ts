import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { engineName, engineUnderTest } from '../engine-under-test.ts';
import { ADAM_UPDATE, SGD_UPDATE } from '../kernel-names.ts';
import { scaledError, seededData, valuesOn } from '../wasm-kernels/parity.ts';
import { compiledPipelines } from './elementwise-dispatch.ts';
import { WEBGPU_KERNELS } from './index.ts';

/**
 * The fused updates against torch.optim's algorithms as the torch documentation writes them
 * (SGD, Adam, AdamW pseudo-code), in float64 here, over consecutive steps whose learning rate
 * changes every step. packages/train's optim/fused-update.test.ts compares them with its tf ops.
 */

type Attrs = Record<string, number | boolean>;
type State = Float64Array[];

/** torch.optim.SGD for one parameter: returns the new parameter and momentum buffer (if any). */
function sgdReference(p: Float64Array, g: Float64Array, state: State, a: Attrs): [Float64Array, State] {
  const { lr, momentum, dampening, weightDecay, nesterov } = a as Record<string, number>;
  const out = new Float64Array(p.length);
  const buf = momentum ? new Float64Array(p.length) : undefined;
  for (let i = 0; i < p.length; i++) {
    let d = g[i]! + weightDecay! * p[i]!;
    if (buf) {
      buf[i] = state.length ? momentum! * state[0]![i]! + (1 - dampening!) * d : d;
      d = nesterov ? d + momentum! * buf[i]! : buf[i]!;
    }
    out[i] = p[i]! - lr! * d;
  }
  return [out, buf ? [buf] : []];
}

/** torch.optim.Adam (decoupled: AdamW) for one parameter: the new parameter, exp_avg, exp_avg_sq. */
function adamReference(p: Float64Array, g: Float64Array, state: State, a: Attrs): [Float64Array, State] {
  const { lr, beta1, beta2, eps, weightDecay, step } = a as Record<string, number>;
  const out = new Float64Array(p.length);
  const [m, v] = [new Float64Array(p.length), new Float64Array(p.length)];
  for (let i = 0; i < p.length; i++) {
    let theta = p[i]!;
    let gi = g[i]!;
    if (a.decoupled) theta *= 1 - lr! * weightDecay!;
    else gi += weightDecay! * theta;
    m[i] = beta1! * (state[0]?.[i] ?? 0) + (1 - beta1!) * gi;
    v[i] = beta2! * (state[1]?.[i] ?? 0) + (1 - beta2!) * gi * gi;
    const mHat = m[i]! / (1 - beta1! ** step!);
    const vHat = v[i]! / (1 - beta2! ** step!);
    out[i] = theta - (lr! * mHat) / (Math.sqrt(vHat) + eps!);
  }
  return [out, [m, v]];
}

interface Kind {
  kernel: string;
  reference: typeof sgdReference;
  stateNames: string[];
}
const SGD: Kind = { kernel: SGD_UPDATE, reference: sgdReference, stateNames: ['momentum'] };
const ADAM: Kind = { kernel: ADAM_UPDATE, reference: adamReference, stateNames: ['expAvg', 'expAvgSq'] };

const SGD_OPTIONS: Attrs[] = [
  { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
  { momentum: 0, dampening: 0, weightDecay: 1e-2, nesterov: false },
  { momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false },
  { momentum: 0.9, dampening: 0.3, weightDecay: 5e-4, nesterov: false },
  { momentum: 0.8, dampening: 0, weightDecay: 1e-3, nesterov: true },
];
const ADAM_OPTIONS: Attrs[] = [
  { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false },
  { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2, decoupled: false },
  { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2, decoupled: true },
  { beta1: 0.8, beta2: 0.99, eps: 1e-3, weightDecay: 0.1, decoupled: true },
];
const LRS = [0.1, 0.05, 0.02];

/** Runs `steps` updates of one parameter on webgpu and in the reference, comparing after each. */
function compare(kind: Kind, shape: number[], options: Attrs, seed: number, steps = LRS.length): void {
  const size = shape.reduce((a, b) => a * b, 1);
  let p = seededData(size, seed);
  let state: Float32Array[] = [];
  let ref: [Float64Array, State] = [Float64Array.from(p), []];
  for (let s = 0; s < steps; s++) {
    const g = seededData(size, seed + 1 + s, (v) => 0.5 * v);
    const attrs = { ...options, lr: LRS[s]!, step: s + 1 };
    const numTensors = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    const got = valuesOn('webgpu', () => {
      const inputs: tf.NamedTensorMap = { param: tf.tensor(p, shape), grad: tf.tensor(g, shape) };
      state.forEach((b, k) => (inputs[kind.stateNames[k]!] = tf.tensor(b, shape)));
      return tf.engine().runKernel(kind.kernel, inputs, attrs) as tf.Tensor[];
    });
    expect(tf.memory().numTensors).toBe(numTensors);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
    ref = kind.reference(ref[0], Float64Array.from(g), ref[1], attrs);
    const want = [ref[0], ...ref[1]];
    expect(got.length).toBe(want.length);
    got.forEach((v, k) => expect(scaledError(v, Float32Array.from(want[k]!)), `output ${k}, step ${s + 1}`).toBeLessThan(1e-5));
    [p, ...state] = got as [Float32Array, ...Float32Array[]];
  }
}

// Runs where webgpu is the engine under test (TFJS_BACKEND=webgpu, CI's lavapipe step).
describe.runIf(engineName() === 'webgpu')('webgpu fused optimiser updates against torch.optim in float64', () => {
  beforeAll(async () => {
    await engineUnderTest();
  });

  it('are registered for webgpu', () => {
    expect(WEBGPU_KERNELS).toEqual(expect.arrayContaining([SGD_UPDATE, ADAM_UPDATE]));
    expect(tf.getKernel(SGD_UPDATE, 'webgpu')).toBeDefined();
    expect(tf.getKernel(ADAM_UPDATE, 'webgpu')).toBeDefined();
  });

  // [1]: a bias of one unit; 65 and 3·3·5·7: one past a workgroup of 64 and a ragged conv kernel.
  const shapes = [[1], [65], [3, 3, 5, 7]];
  for (const [name, kind, optionSets] of [['SGD', SGD, SGD_OPTIONS], ['Adam', ADAM, ADAM_OPTIONS]] as const) {
    optionSets.forEach((options, o) => {
      it(`${name} ${JSON.stringify(options)}: 3 steps at lr ${LRS.join(', ')}`, () => {
        shapes.forEach((shape, k) => compare(kind, shape, options, 100 * o + 10 * k));
      });
    });
  }

  it('covers a tensor of more workgroups than one dispatch dimension allows (65535 x 64 elements)', () => {
    const shape = [2100, 2001];
    const size = 2100 * 2001;
    const data = [seededData(size, 7), seededData(size, 8, (v) => 0.5 * v), seededData(size, 9, (v) => 0.1 * v), seededData(size, 10, (v) => 0.01 * v * v)];
    const attrs = { ...ADAM_OPTIONS[2]!, lr: 0.01, step: 3 };
    // Reading 16 MB back from lavapipe takes seconds: the first elements and those of the second row of workgroups.
    const ranges = [[0, 1000], [65535 * 64 - 1000, size - 65535 * 64 + 1000]] as const;
    const got = valuesOn('webgpu', () => {
      const [param, grad, expAvg, expAvgSq] = data.map((d) => tf.tensor(d, shape));
      const outputs = tf.engine().runKernel(ADAM_UPDATE, { param: param!, grad: grad!, expAvg: expAvg!, expAvgSq: expAvgSq! }, attrs) as tf.Tensor[];
      return outputs.flatMap((o) => ranges.map(([start, n]) => tf.slice(tf.reshape(o, [-1]), start, n)));
    });
    const [p, g, m, v] = data.map((d) => Float64Array.from(d));
    const [param, state] = adamReference(p!, g!, [m!, v!], attrs);
    [param, ...state].forEach((want, k) =>
      ranges.forEach(([start, n], r) => expect(scaledError(got[2 * k + r]!, Float32Array.from(want.subarray(start, start + n))), `output ${k}, range ${r}`).toBeLessThan(1e-5)),
    );
  });

  it('runs as the one kernel, its shader compiled once for every learning rate and step', async () => {
    compare(ADAM, [9], ADAM_OPTIONS[0]!, 9);
    const compiled = compiledPipelines(tf.backend());
    compare(ADAM, [9], ADAM_OPTIONS[3]!, 19);
    compare(SGD, [9], SGD_OPTIONS[3]!, 29);
    expect(compiledPipelines(tf.backend())).toBe(compiled);
    const [param, grad] = [tf.ones([5]), tf.ones([5])];
    const info = await tf.profile(() => tf.dispose(tf.engine().runKernel(SGD_UPDATE, { param, grad }, { ...SGD_OPTIONS[0]!, lr: 1 }) as tf.Tensor[]));
    expect(info.kernelNames).toEqual([SGD_UPDATE]);
    tf.dispose([param, grad]);
  });

  it('rejects what it was not written for', () => {
    const run = (inputs: () => tf.NamedTensorMap, attrs: Attrs, kernel = SGD_UPDATE) => () => valuesOn('webgpu', () => tf.engine().runKernel(kernel, inputs(), attrs) as tf.Tensor[]);
    const sgd = { ...SGD_OPTIONS[2]!, lr: 1 };
    expect(run(() => ({ param: tf.ones([3]), grad: tf.ones([4]) }), sgd)).toThrow(/grad has shape \[4\], param \[3\]/);
    expect(run(() => ({ param: tf.ones([3]), grad: tf.ones([3], 'int32') }), sgd)).toThrow(/grad must be float32/);
    expect(run(() => ({ param: tf.ones([3]), grad: tf.ones([3]), momentum: tf.ones([3]) }), { ...sgd, momentum: 0 })).toThrow(/momentum 0/);
    const adam = { ...ADAM_OPTIONS[0]!, lr: 1, step: 2 };
    expect(run(() => ({ param: tf.ones([3]), grad: tf.ones([3]), expAvg: tf.ones([3]) }), adam, ADAM_UPDATE)).toThrow(/both expAvg and expAvgSq/);
    expect(run(() => ({ param: tf.ones([3]), grad: tf.ones([3]) }), { ...adam, step: 0 }, ADAM_UPDATE)).toThrow(/step must be an integer >= 1/);
  });
});
