import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { convCaseGrid, scaledError, seededData, runConv2dBackpropFilter, type ConvCase, useWasmBesideCpu, valuesOn } from './parity.ts';


type Case = ConvCase;

function compare(c: Case, seed: number): void {
  const x = seededData(c.x.reduce((a, b) => a * b), seed);
  const outShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([c.k, c.k, c.x[3], c.out]) as tf.Tensor4D, c.stride, c.pad).shape);
  const dy = seededData(outShape.reduce((a, b) => a * b), seed + 1);
  const run = () => runConv2dBackpropFilter(tf.tensor4d(x, c.x), tf.tensor4d(dy, outShape), c);
  const before = tf.memory().numTensors;
  const [onWasm] = valuesOn('wasm', run);
  expect(tf.memory().numTensors).toBe(before);
  const [onCpu] = valuesOn('cpu', run);
  expect(onWasm!.length).toBe(c.k * c.k * c.x[3] * c.out);
  expect(scaledError(onWasm!, onCpu!), JSON.stringify(c)).toBeLessThan(1e-4);
}

describe('wasm Conv2DBackpropFilter (conv of the transposed input with dy as a dilated filter)', () => {
  beforeAll(useWasmBesideCpu);

  for (const { name, c, seed } of convCaseGrid()) it(name, () => compare(c, seed));

  it('matches cpu for the ResNet stem (7x7 stride 2, explicit pad 3) and numeric padding', () => {
    compare({ x: [2, 20, 18, 3], k: 7, out: 8, stride: 2, pad: [[0, 0], [3, 3], [3, 3], [0, 0]] }, 1000);
    compare({ x: [2, 9, 8, 4], k: 3, out: 6, stride: 2, pad: 1 }, 1001);
  });

  it('supports NCHW by working in NHWC', () => {
    const c: Case = { x: [2, 3, 9, 10], k: 3, out: 4, stride: 2, pad: 'same' };
    const x = seededData(2 * 3 * 9 * 10, 7);
    const dy = seededData(2 * 4 * 5 * 5, 8);
    const nchw = valuesOn('wasm', () => runConv2dBackpropFilter(tf.tensor4d(x, c.x), tf.tensor4d(dy, [2, 4, 5, 5]), c, 'NCHW'));
    const nhwc = valuesOn('cpu', () =>
      runConv2dBackpropFilter(
        tf.transpose(tf.tensor4d(x, c.x), [0, 2, 3, 1]),
        tf.transpose(tf.tensor4d(dy, [2, 4, 5, 5]), [0, 2, 3, 1]),
        c,
      ),
    );
    expect(scaledError(nchw[0]!, nhwc[0]!)).toBeLessThan(1e-4);
  });

  it('gives the filter gradient of tf.conv2d under tf.grads, as on cpu', () => {
    const x = seededData(2 * 12 * 12 * 4, 21);
    const w = seededData(3 * 3 * 4 * 6, 22);
    const loss = () => {
      const [, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))),
      )([tf.tensor4d(x, [2, 12, 12, 4]), tf.tensor4d(w, [3, 3, 4, 6])]);
      return dw!;
    };
    expect(scaledError(valuesOn('wasm', loss)[0]!, valuesOn('cpu', loss)[0]!)).toBeLessThan(1e-4);
  });

  it('rejects a dy whose size does not fit the forward convolution', () => {
    const c: Case = { x: [1, 8, 8, 2], k: 3, out: 2, stride: 1, pad: 'same' };
    expect(() =>
      valuesOn('wasm', () => runConv2dBackpropFilter(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([1, 7, 8, 2]) as tf.Tensor4D, c)),
    ).toThrow(/dy is 7x8 but the forward conv yields 8x8/);
  });
});
