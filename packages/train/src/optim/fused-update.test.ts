import { Rng } from '@facemask/contracts';
import { ADAM_UPDATE, engineName, SGD_UPDATE, useBackendUnderTest } from '@facemask/engine';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Adam, AdamW } from './adam.ts';
import type { TorchOptimizer } from './optimizer.ts';
import { SGD } from './sgd.ts';

/**
 * The optimisers on the engine under test against the same optimisers on cpu, where they compose
 * stock tf ops: on webgpu that compares the engine's fused update kernels with the tf-op code they
 * replace, over every option, consecutive steps and a learning rate that changes every step.
 */

const ENGINE = engineName();
// [1]: a bias of one unit; 65 and 3·3·5·7: one past a workgroup of 64 and a ragged conv kernel.
const SHAPES = [[1], [65], [3, 3, 5, 7]];
const LRS = [0.1, 0.05, 0.02];

const OPTIMISERS: [string, string, (p: tf.Variable[]) => TorchOptimizer][] = [
  ['SGD', SGD_UPDATE, (p) => new SGD(p, { lr: 1 })],
  ['SGD, weight decay', SGD_UPDATE, (p) => new SGD(p, { lr: 1, weightDecay: 1e-2 })],
  ['SGD, momentum', SGD_UPDATE, (p) => new SGD(p, { lr: 1, momentum: 0.9 })],
  ['SGD, momentum, dampening, weight decay', SGD_UPDATE, (p) => new SGD(p, { lr: 1, momentum: 0.9, dampening: 0.3, weightDecay: 5e-4 })],
  ['SGD, nesterov, weight decay', SGD_UPDATE, (p) => new SGD(p, { lr: 1, momentum: 0.8, nesterov: true, weightDecay: 1e-3 })],
  ['Adam', ADAM_UPDATE, (p) => new Adam(p, { lr: 1 })],
  ['Adam, L2 weight decay', ADAM_UPDATE, (p) => new Adam(p, { lr: 1, weightDecay: 1e-2 })],
  ['AdamW', ADAM_UPDATE, (p) => new AdamW(p, { lr: 1, weightDecay: 1e-2 })],
  ['AdamW, betas, eps', ADAM_UPDATE, (p) => new AdamW(p, { lr: 1, betas: [0.8, 0.99], eps: 1e-3, weightDecay: 0.1 })],
];

function normals(size: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: size }, () => scale * rng.normal());
}

/** Every parameter and state buffer after each of the steps on `backend`; checks nothing leaks. */
async function trajectory(backend: 'cpu' | typeof ENGINE, make: (p: tf.Variable[]) => TorchOptimizer): Promise<Float32Array[][]> {
  await useBackendUnderTest(backend);
  const before = tf.memory().numTensors;
  const params = SHAPES.map((shape, k) => tf.tidy(() => tf.variable(tf.tensor(normals(tf.util.sizeFromShape(shape), k), shape))));
  const opt = make(params);
  const out = LRS.map((lr, s) => {
    opt.lr = lr;
    const grads = new Map(params.map((p, k) => [p, tf.tensor(normals(p.size, 10 * (s + 1) + k, 0.5), p.shape)]));
    opt.step(grads);
    tf.dispose([...grads.values()]);
    const state = opt.getState().params.flatMap((p) => Object.values(p.buffers));
    return [...params.map((p) => p.dataSync() as Float32Array), ...state];
  });
  opt.dispose();
  tf.dispose(params);
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

/** Largest |a − b| over the largest |b|: entries near 0 in a buffer say nothing on their own. */
function scaledError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 1e-6;
  b.forEach((v, i) => {
    diff = Math.max(diff, Math.abs(a[i]! - v));
    scale = Math.max(scale, Math.abs(v));
  });
  return a.length === b.length ? diff / scale : Infinity;
}

describe(`optimisers on ${ENGINE} against their tf ops on cpu`, () => {
  for (const [name, , make] of OPTIMISERS) {
    it(`${name}: parameters and state after each of ${LRS.length} steps`, async () => {
      const want = await trajectory('cpu', make);
      const got = await trajectory(ENGINE, make);
      got.forEach((step, s) => {
        expect(step.length).toBe(want[s]!.length);
        step.forEach((v, k) => expect(scaledError(v, want[s]![k]!), `step ${s + 1}, tensor ${k}`).toBeLessThan(1e-5));
      });
    });
  }

  it('a step runs one fused update kernel per parameter where the backend has it (webgpu), stock ops elsewhere', async () => {
    await useBackendUnderTest(ENGINE);
    for (const [name, kernel, make] of OPTIMISERS) {
      const params = SHAPES.map((shape) => tf.tidy(() => tf.variable(tf.ones(shape))));
      const grads = new Map(params.map((p) => [p, tf.onesLike(p)]));
      const opt = make(params);
      // The second step: the one with state buffers to read.
      opt.step(grads);
      const kernelNames = (await tf.profile(() => opt.step(grads))).kernels.map((k) => k.name);
      if (ENGINE === 'webgpu') expect(kernelNames, name).toEqual(params.map(() => kernel));
      else {
        expect(kernelNames, name).not.toContain(kernel);
        expect(kernelNames, name).toContain('Sub');
      }
      opt.dispose();
      tf.dispose([...params, ...grads.values()]);
    }
  });
});
