import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { scaledError, seededData, useWasmBesideCpu, valuesOn } from './parity.ts';

type Pad = 'same' | 'valid' | number;

/** dx of sum(maxPool(x) * dy), through the MaxPoolGrad kernel of whichever backend is active. */
function maxPoolGrad(xs: Float32Array, shape: [number, number, number, number], k: number, s: number, pad: Pad, dys: Float32Array) {
  return () => {
    const x = tf.tensor4d(xs, shape);
    const y = tf.maxPool(x, k, s, pad);
    return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, k, s, pad), tf.tensor(dys, y.shape))))(x);
  };
}

function compare(shape: [number, number, number, number], k: number, s: number, pad: Pad, seed: number, ties: boolean): void {
  // Ties: ReLU'd values rounded to integers repeat a lot (whole windows of zeros after ReLU),
  // which is where a wrong tie rule or a wrong initial maximum shows.
  const xs = seededData(shape.reduce((a, b) => a * b), seed, ties ? (v) => Math.max(0, Math.round(v)) : (v) => v);
  const outShape = tf.tidy(() => tf.maxPool(tf.zeros(shape) as tf.Tensor4D, k, s, pad).shape);
  const dys = seededData(outShape.reduce((a, b) => a * b), seed + 1);
  const before = tf.memory().numTensors;
  const [onWasm] = valuesOn('wasm', maxPoolGrad(xs, shape, k, s, pad, dys));
  expect(tf.memory().numTensors).toBe(before);
  const [onCpu] = valuesOn('cpu', maxPoolGrad(xs, shape, k, s, pad, dys));
  expect(scaledError(onWasm!, onCpu!)).toBeLessThan(1e-6);
}

describe('wasm MaxPoolGrad (first-maximum routing from wasm kernels)', () => {
  beforeAll(useWasmBesideCpu);

  let seed = 1;
  for (const [k, s] of [[3, 2], [2, 2], [3, 1], [1, 2], [3, 3]] as const) {
    for (const pad of ['same', 'valid', 1] as const) {
      for (const [h, w] of [[9, 11], [8, 10]] as const) {
        if (pad === 1 && k === 1) continue; // tfjs rejects padding wider than the window
        const batch = 1 + (seed % 2);
        const shape: [number, number, number, number] = [batch, h, w, 3];
        const sd = seed++ * 10;
        it(`${k}x${k} stride ${s} pad ${pad} on ${h}x${w}, batch ${batch}`, () => {
          compare(shape, k, s, pad, sd, false);
          compare(shape, k, s, pad, sd + 5, true);
        });
      }
    }
  }

  it('routes all-negative windows to their maximum (where the built-in wasm kernel does not)', () => {
    const xs = seededData(2 * 8 * 8 * 2, 99, (v) => -Math.abs(v) - 0.5);
    const shape: [number, number, number, number] = [2, 8, 8, 2];
    const dys = seededData(2 * 4 * 4 * 2, 100);
    const [dx] = valuesOn('wasm', maxPoolGrad(xs, shape, 3, 2, 'same', dys));
    const [ref] = valuesOn('cpu', maxPoolGrad(xs, shape, 3, 2, 'same', dys));
    expect(Array.from(dx!)).toEqual(Array.from(ref!));
  });

  it('handles the ResNet stem pooling (3x3 stride 2 same, even size) with many channels', () => {
    compare([2, 16, 16, 16], 3, 2, 'same', 500, true);
  });
});
