import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { engineName, engineUnderTest } from '../engine-under-test.ts';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from '../kernel-names.ts';
import { scaledError, seededData, valuesOn } from '../wasm-kernels/parity.ts';
import { slicePlan } from './batch-norm-programs.ts';
import { valuesAndDispatches } from './dispatch-count.ts';
import { WEBGPU_KERNELS } from './index.ts';

const EPSILON = 1e-5;

/** y, mean, variance, dx, dgamma, dbeta from the two kernels on the active backend. */
function fused(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, dy: tf.Tensor, relu: boolean): tf.Tensor[] {
  const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x, gamma, beta }, { epsilon: EPSILON, relu }) as tf.Tensor[];
  const inputs = { dy, x, mean: mean!, variance: variance!, gamma, ...(relu ? { y: y! } : {}) };
  const grads = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, inputs, { epsilon: EPSILON }) as tf.Tensor[];
  return [y!, mean!, variance!, ...grads];
}

/** The same six from tfjs' own ops and autodiff (the composite formulation), run on cpu. */
function composite(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, dy: tf.Tensor, relu: boolean): tf.Tensor[] {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const f = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(xi, axes);
    const y = tf.batchNorm(xi, mean, variance, b, g, EPSILON);
    return relu ? tf.relu(y) : y;
  };
  const { mean, variance } = tf.moments(x, axes);
  const grads = tf.grads((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(xi, g, b), dy)))([x, gamma, beta]);
  return [f(x, gamma, beta), mean, variance, ...grads];
}

interface Case {
  shape: number[];
  seed: number;
  offset?: number;
  scale?: number;
}

function inputs({ shape, seed, offset = 0.7, scale = 2 }: Case) {
  const c = shape[shape.length - 1]!;
  const size = shape.reduce((a, b) => a * b, 1);
  const data = {
    x: seededData(size, seed, (v) => offset + scale * v),
    gamma: seededData(c, seed + 1, (v) => 1 + 0.3 * v),
    beta: seededData(c, seed + 2, (v) => 0.3 * v),
    dy: seededData(size, seed + 3),
  };
  const make = () => [tf.tensor(data.x, shape), tf.tensor1d(data.gamma), tf.tensor1d(data.beta), tf.tensor(data.dy, shape)] as const;
  return { data, make };
}

const NAMES = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];

function compare(c: Case, relu: boolean): void {
  const { make } = inputs(c);
  const numTensors = tf.memory().numTensors;
  const dataIds = tf.engine().backend.numDataIds();
  const gpu = valuesOn('webgpu', () => fused(...make(), relu));
  expect(tf.memory().numTensors).toBe(numTensors);
  expect(tf.engine().backend.numDataIds()).toBe(dataIds);
  const cpu = valuesOn('cpu', () => composite(...make(), relu));
  NAMES.forEach((name, i) => {
    // With one row x − mean and g − Σg/n are 0 exactly, so dx is; autodiff on cpu leaves ~4e-6 of noise.
    if (name === 'dx' && c.shape.length - 1 === c.shape.filter((d) => d === 1).length) expect(gpu[i]!.every((v) => v === 0)).toBe(true);
    else expect(scaledError(gpu[i]!, cpu[i]!), `${name} ${JSON.stringify(c)}`).toBeLessThan(i < 3 ? 1e-5 : 3e-5);
  });
}

describe('slicePlan (row slices of the per-channel sums)', () => {
  it('covers every row once and gives big problems many workgroups, small ones one slice', () => {
    for (const [rows, channels] of [[1, 3], [70, 3], [64 * 56 * 56, 64], [64 * 7 * 7, 512], [1000, 70]] as const) {
      const { slices, perSlice } = slicePlan(rows, channels);
      expect(slices * perSlice).toBeGreaterThanOrEqual(rows);
      expect((slices - 1) * perSlice).toBeLessThan(rows);
    }
    expect(slicePlan(64 * 56 * 56, 64)).toEqual({ rows: 200_704, channels: 64, slices: 128, perSlice: 1568 });
    expect(slicePlan(70, 3)).toEqual({ rows: 70, channels: 3, slices: 2, perSlice: 35 });
    expect(slicePlan(60, 3).slices).toBe(1);
    expect(slicePlan(816, 70)).toEqual({ rows: 816, channels: 70, slices: 13, perSlice: 63 });
  });
});

// Runs where webgpu is the engine under test (TFJS_BACKEND=webgpu, CI's lavapipe step).
describe.runIf(engineName() === 'webgpu')('webgpu training BatchNorm (+ ReLU) kernels against tfjs autodiff on cpu', () => {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-backend-cpu');
    await engineUnderTest();
  });

  it('are registered for webgpu', () => {
    expect(WEBGPU_KERNELS).toEqual(expect.arrayContaining([BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD]));
    expect(tf.getKernel(BATCH_NORM_TRAIN, 'webgpu')).toBeDefined();
    expect(tf.getKernel(BATCH_NORM_TRAIN_GRAD, 'webgpu')).toBeDefined();
  });

  const cases: [string, Case][] = [
    ['3 channels, 70 rows in 2 slices of 35 (not a multiple of the 16 row lanes)', { shape: [2, 7, 5, 3], seed: 10 }],
    ['70 channels (a ragged channel block), 816 rows in 13 slices of 63, the last one 60', { shape: [3, 17, 16, 70], seed: 20 }],
    ['one row (variance 0)', { shape: [1, 1, 1, 5], seed: 30 }],
    ['rank 2', { shape: [37, 9], seed: 40 }],
    ['64 channels at 2x28x28 (stage 1 of ResNet at 112 px, batch 2)', { shape: [2, 28, 28, 64], seed: 50 }],
  ];
  for (const [name, c] of cases) {
    for (const relu of [false, true]) it(`${name}${relu ? ', with ReLU' : ''}`, () => compare(c, relu));
  }

  it('keeps the variance of data far from zero (mean 100, sd 0.01) to float32 precision', () => {
    const c: Case = { shape: [3, 17, 19, 6], seed: 60, offset: 100, scale: 0.01 };
    const { data, make } = inputs(c);
    const [, mean, variance] = valuesOn('webgpu', () => fused(...make(), false));
    const rows = data.x.length / 6;
    for (let ch = 0; ch < 6; ch++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += data.x[r * 6 + ch]!;
      const m = s / rows;
      let q = 0;
      for (let r = 0; r < rows; r++) q += (data.x[r * 6 + ch]! - m) ** 2;
      expect(Math.abs(mean![ch]! - m) / m).toBeLessThan(1e-6);
      // E[x²] − E[x]² in float32 would be off by about 1e4 · 2^-24 ≈ 6e-4 here, several times the variance.
      expect(Math.abs(variance![ch]! - q / rows) / (q / rows)).toBeLessThan(1e-4);
    }
  });

  it('gives the same bits on every run, in 4 dispatches forward and 5 backward', () => {
    const { make } = inputs({ shape: [2, 9, 11, 40], seed: 70 });
    const first = valuesAndDispatches(() => fused(...make(), true));
    expect(first.dispatches).toBe(9);
    const second = valuesOn('webgpu', () => fused(...make(), true));
    second.forEach((v, i) => expect(Buffer.from(v.buffer).equals(Buffer.from(first.values[i]!.buffer)), NAMES[i]).toBe(true));
  });

  it('rejects what it was not written for', () => {
    const run = (x: tf.Tensor, gamma: tf.Tensor) => () => valuesOn('webgpu', () => tf.engine().runKernel(BATCH_NORM_TRAIN, { x, gamma, beta: gamma }, { epsilon: EPSILON, relu: false }) as tf.Tensor[]);
    expect(run(tf.zeros([2, 3], 'int32'), tf.ones([3]))).toThrow(/x must be float32/);
    expect(run(tf.zeros([2, 3]), tf.ones([4]))).toThrow(/expected \[3\] per-channel inputs/);
    expect(run(tf.zeros([0, 3]), tf.ones([3]))).toThrow(/x is empty/);
  });
});
