import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { convCaseGrid, scaledError, seededData, type ConvCase, useWasmBesideCpu, valuesOn } from './parity.ts';


type Case = ConvCase;

function backpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, c: Case, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): tf.Tensor {
  return tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, {
    strides: c.stride,
    pad: c.pad,
    dataFormat,
    inputShape: c.x,
  } as unknown as tf.NamedAttrMap);
}

function compare(c: Case, seed: number): void {
  const outShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([c.k, c.k, c.x[3], c.out]) as tf.Tensor4D, c.stride, c.pad).shape);
  const dy = seededData(outShape.reduce((a, b) => a * b), seed);
  const w = seededData(c.k * c.k * c.x[3] * c.out, seed + 1);
  const run = () => backpropInput(tf.tensor4d(dy, outShape), tf.tensor4d(w, [c.k, c.k, c.x[3], c.out]), c);
  const before = tf.memory().numTensors;
  const [onWasm] = valuesOn('wasm', run);
  expect(tf.memory().numTensors).toBe(before);
  const [onCpu] = valuesOn('cpu', run);
  expect(onWasm!.length).toBe(c.x.reduce((a, b) => a * b));
  expect(scaledError(onWasm!, onCpu!), JSON.stringify(c)).toBeLessThan(1e-4);
}

describe('wasm Conv2DBackpropInput (a conv2d of the dilated dy with the rotated filter)', () => {
  beforeAll(useWasmBesideCpu);

  for (const { name, c, seed } of convCaseGrid()) it(name, () => compare(c, seed));

  it('matches cpu for the ResNet stem (7x7 stride 2, explicit pad 3), numeric padding and stride 3', () => {
    compare({ x: [2, 20, 18, 3], k: 7, out: 8, stride: 2, pad: [[0, 0], [3, 3], [3, 3], [0, 0]] }, 1000);
    compare({ x: [2, 9, 8, 4], k: 3, out: 6, stride: 2, pad: 1 }, 1001);
    compare({ x: [1, 13, 11, 2], k: 3, out: 3, stride: 3, pad: 'valid' }, 1002);
  });

  it('supports NCHW by working in NHWC', () => {
    const x: [number, number, number, number] = [2, 3, 9, 10];
    const dy = seededData(2 * 4 * 5 * 5, 8);
    const w = seededData(3 * 3 * 3 * 4, 9);
    const nchw = valuesOn('wasm', () => backpropInput(tf.tensor4d(dy, [2, 4, 5, 5]), tf.tensor4d(w, [3, 3, 3, 4]), { x, k: 3, out: 4, stride: 2, pad: 'same' }, 'NCHW'))[0]!;
    const nhwc = valuesOn('cpu', () =>
      tf.transpose(
        backpropInput(tf.transpose(tf.tensor4d(dy, [2, 4, 5, 5]), [0, 2, 3, 1]) as tf.Tensor4D, tf.tensor4d(w, [3, 3, 3, 4]), { x: [2, 9, 10, 3], k: 3, out: 4, stride: 2, pad: 'same' }),
        [0, 3, 1, 2],
      ),
    )[0]!;
    expect(scaledError(nchw, nhwc)).toBeLessThan(1e-4);
  });
});
