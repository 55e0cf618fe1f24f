import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { scaledError, seededData, useWasmBesideCpu, valuesOn } from './parity.ts';

const SHAPE: [number, number, number, number] = [3, 7, 5, 6];
const AXES: (number | number[])[] = [[0, 1, 2], [1, 2], 3, [2, 3], 0, [0, 2], [1, 3], [0, 1, 2, 3], -1];

describe('wasm Sum and Mean (float64 accumulation)', () => {
  beforeAll(useWasmBesideCpu);

  const xs = seededData(SHAPE.reduce((a, b) => a * b), 7, (v) => v * 3 + 0.5);

  for (const axis of AXES) {
    for (const keepDims of [false, true]) {
      it(`axis ${JSON.stringify(axis)}${keepDims ? ', keepDims' : ''}: Sum equals cpu bit for bit, Mean to rounding`, () => {
        const before = tf.memory().numTensors;
        const shapes = new Set<string>();
        const run = (op: 'sum' | 'mean') => () => {
          const y = (op === 'sum' ? tf.sum : tf.mean)(tf.tensor4d(xs, SHAPE), axis, keepDims);
          shapes.add(y.shape.join('x'));
          return y;
        };
        const [sumWasm] = valuesOn('wasm', run('sum'));
        const [sumCpu] = valuesOn('cpu', run('sum'));
        expect(Array.from(sumWasm!)).toEqual(Array.from(sumCpu!));
        const [meanWasm] = valuesOn('wasm', run('mean'));
        const [meanCpu] = valuesOn('cpu', run('mean'));
        expect(scaledError(meanWasm!, meanCpu!)).toBeLessThan(3e-7);
        expect(shapes.size, [...shapes].join(' vs ')).toBe(1);
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }

  it('keeps the digits a float32 running sum drops (terms that cancel, as in BatchNorm gradients)', () => {
    // 16384 + 2^-10 is a tie in float32 and rounds back to 16384, so a float32 running sum of
    // [16384, 2^-10 x 1000, -16384] is 0; the exact sum, 1000 * 2^-10, is a float32 value.
    const n = 1000;
    const column = [16384, ...Array.from({ length: n }, () => 2 ** -10), -16384];
    const data = column.flatMap((v) => [v, -v]); // two channels, reduced over the leading axis
    const [sum] = valuesOn('wasm', () => tf.sum(tf.tensor2d(data, [column.length, 2]), 0));
    expect(Array.from(sum!)).toEqual([n * 2 ** -10, -n * 2 ** -10]);
    const [mean] = valuesOn('wasm', () => tf.mean(tf.tensor3d(data, [1, column.length, 2]), [0, 1]));
    expect(Array.from(mean!)).toEqual([Math.fround((n * 2 ** -10) / column.length), Math.fround((-n * 2 ** -10) / column.length)]);
  });

  it('leaves int32 and bool reductions to the stock kernels', () => {
    const ints = Array.from({ length: 24 }, (_, i) => (i * 7919) % 1000 - 500);
    for (const axis of [0, 1, [0, 1]]) {
      const [onWasm] = valuesOn('wasm', () => tf.sum(tf.tensor2d(ints, [4, 6], 'int32'), axis));
      const [onCpu] = valuesOn('cpu', () => tf.sum(tf.tensor2d(ints, [4, 6], 'int32'), axis));
      expect(Array.from(onWasm!)).toEqual(Array.from(onCpu!));
      const [meanWasm] = valuesOn('wasm', () => tf.mean(tf.tensor2d(ints, [4, 6], 'int32'), axis));
      const [meanCpu] = valuesOn('cpu', () => tf.mean(tf.tensor2d(ints, [4, 6], 'int32'), axis));
      expect(scaledError(meanWasm!, meanCpu!)).toBeLessThan(3e-7);
    }
    const [bools] = valuesOn('wasm', () => tf.sum(tf.tensor1d([1, 0, 1, 1], 'bool')));
    expect(Array.from(bools!)).toEqual([3]);
  });

  it('reduces an empty float32 tensor to zeros, as cpu does (the stock kernel left memory uninitialised)', () => {
    for (const op of [tf.sum, tf.mean]) {
      const [s] = valuesOn('wasm', () => op(tf.zeros([0, 3]), 0));
      expect(Array.from(s!)).toEqual([0, 0, 0]);
      const [t] = valuesOn('wasm', () => op(tf.zeros([2, 0, 3]), [0, 2]));
      expect(Array.from(t!)).toEqual([]);
    }
  });
});
