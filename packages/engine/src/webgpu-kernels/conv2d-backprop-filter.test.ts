import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { engineName, engineUnderTest } from '../engine-under-test.ts';
import { convCaseGrid, scaledError, seededData, runConv2dBackpropFilter, type ConvCase, valuesOn } from '../wasm-kernels/parity.ts';
import { splitPlan } from './conv2d-backprop-filter.ts';
import { WEBGPU_KERNELS } from './index.ts';

/** The webgpu kernel's dW against the cpu backend's on the same seeded x and dy. */
function compare(c: ConvCase, seed: number, tolerance = 1e-5): void {
  const x = seededData(c.x.reduce((a, b) => a * b), seed);
  const outShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([c.k, c.k, c.x[3], c.out]) as tf.Tensor4D, c.stride, c.pad).shape);
  const dy = seededData(outShape.reduce((a, b) => a * b), seed + 1);
  const run = () => runConv2dBackpropFilter(tf.tensor4d(x, c.x), tf.tensor4d(dy, outShape), c);
  const numTensors = tf.memory().numTensors;
  const dataIds = tf.engine().backend.numDataIds();
  const [gpu] = valuesOn('webgpu', run);
  expect(tf.memory().numTensors).toBe(numTensors);
  expect(tf.engine().backend.numDataIds()).toBe(dataIds);
  const [cpu] = valuesOn('cpu', run);
  expect(gpu!.length).toBe(c.k * c.k * c.x[3] * c.out);
  expect(scaledError(gpu!, cpu!), JSON.stringify(c)).toBeLessThan(tolerance);
}

describe('splitPlan (m slices of the implicit GEMM)', () => {
  it('gives a big inner dimension many slices and a small one a single slice', () => {
    // ResNet-18's stem at 112 px, batch 64: k = 7·7·3, 64 channels, 10 tiles of 32x32.
    expect(splitPlan(64 * 56 * 56, 147, 64)).toEqual({ slices: 52, perSlice: 3872 });
    expect(splitPlan(100, 27, 5)).toEqual({ slices: 1, perSlice: 112 });
    for (const [m, k, co] of [[1, 1, 1], [4097, 576, 64], [200_704, 4608, 512]] as const) {
      const { slices, perSlice } = splitPlan(m, k, co);
      expect(perSlice % 16).toBe(0);
      expect(slices * perSlice).toBeGreaterThanOrEqual(m);
      expect((slices - 1) * perSlice).toBeLessThan(m);
    }
  });
});

// Runs where webgpu is the engine under test (TFJS_BACKEND=webgpu, CI's lavapipe step).
describe.runIf(engineName() === 'webgpu')('webgpu Conv2DBackpropFilter (implicit GEMM) against cpu', () => {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-backend-cpu');
    await engineUnderTest();
  });

  it('is the kernel registered for webgpu (the comparisons below would pass on the backend own one too)', () => {
    expect(WEBGPU_KERNELS).toContain(tf.Conv2DBackpropFilter);
    // Only this kernel checks dy against the forward convolution's output size.
    const c: ConvCase = { x: [1, 8, 8, 2], k: 3, out: 2, stride: 1, pad: 'same' };
    expect(() => valuesOn('webgpu', () => runConv2dBackpropFilter(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([1, 7, 8, 2]) as tf.Tensor4D, c))).toThrow(/Conv2DBackpropFilter \(webgpu\)/);
  });

  for (const { name, c, seed } of convCaseGrid()) it(name, () => compare(c, seed));

  it('matches cpu for the ResNet stem (7x7 stride 2, explicit pad 3), numeric padding, and wide channels over several tiles and slices', () => {
    compare({ x: [2, 20, 18, 3], k: 7, out: 8, stride: 2, pad: [[0, 0], [3, 3], [3, 3], [0, 0]] }, 1000);
    compare({ x: [2, 9, 8, 4], k: 3, out: 6, stride: 2, pad: 1 }, 1001);
    // k = 3·3·40 = 360 (12 tiles of 32 with a ragged last one), 70 channels, m = 3·24·24 = 1728 (7 slices).
    compare({ x: [3, 24, 24, 40], k: 3, out: 70, stride: 1, pad: 'same' }, 1002, 1e-4);
  });

  it('hands NCHW to the backend own kernel, with the same result as NHWC', () => {
    const c: ConvCase = { x: [2, 3, 9, 10], k: 3, out: 4, stride: 2, pad: 'same' };
    const x = seededData(2 * 3 * 9 * 10, 7);
    const dy = seededData(2 * 4 * 5 * 5, 8);
    const nchw = valuesOn('webgpu', () => runConv2dBackpropFilter(tf.tensor4d(x, c.x), tf.tensor4d(dy, [2, 4, 5, 5]), c, 'NCHW'));
    const nhwc = valuesOn('webgpu', () =>
      runConv2dBackpropFilter(tf.transpose(tf.tensor4d(x, c.x), [0, 2, 3, 1]), tf.transpose(tf.tensor4d(dy, [2, 4, 5, 5]), [0, 2, 3, 1]), c),
    );
    expect(scaledError(nchw[0]!, nhwc[0]!)).toBeLessThan(1e-5);
  });

  it('gives the filter gradient of tf.conv2d under tf.grads, as on cpu', () => {
    const x = seededData(2 * 12 * 12 * 4, 21);
    const w = seededData(3 * 3 * 4 * 6, 22);
    const dw = () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))))([
        tf.tensor4d(x, [2, 12, 12, 4]),
        tf.tensor4d(w, [3, 3, 4, 6]),
      ])[1]!;
    expect(scaledError(valuesOn('webgpu', dw)[0]!, valuesOn('cpu', dw)[0]!)).toBeLessThan(1e-5);
  });

  it('rejects a dy whose size does not fit the forward convolution', () => {
    const c: ConvCase = { x: [1, 8, 8, 2], k: 3, out: 2, stride: 1, pad: 'same' };
    expect(() => valuesOn('webgpu', () => runConv2dBackpropFilter(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([1, 7, 8, 2]) as tf.Tensor4D, c))).toThrow(
      /dy is 7x8 but the forward conv yields 8x8/,
    );
  });
});
