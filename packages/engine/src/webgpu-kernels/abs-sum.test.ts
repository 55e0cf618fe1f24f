import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { engineName, engineUnderTest } from '../engine-under-test.ts';
import { ABS_SUM } from '../kernel-names.ts';
import { seededData, valuesOn } from '../wasm-kernels/parity.ts';
import { valuesAndDispatches } from './dispatch-count.ts';
import { WEBGPU_KERNELS } from './index.ts';

const absSum = (x: tf.Tensor) => tf.engine().runKernel(ABS_SUM, { x }) as tf.Tensor;

// Runs where webgpu is the engine under test (TFJS_BACKEND=webgpu, CI's lavapipe step).
describe.runIf(engineName() === 'webgpu')('webgpu Σ|x| against tf.sum(tf.abs(x)) on cpu', () => {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-backend-cpu');
    await engineUnderTest();
  });

  it('is registered for webgpu', () => {
    expect(WEBGPU_KERNELS).toContain(ABS_SUM);
    expect(tf.getKernel(ABS_SUM, 'webgpu')).toBeDefined();
  });

  // 1, 255, 257 and 65: around the 256 lanes; 3·3·64·64 a conv kernel; 4.2M past one lane's reach of thousands.
  it.each([[[1]], [[65]], [[255]], [[257]], [[3, 3, 64, 64]], [[2100, 2001]]])('shape %j: a scalar, to float32 rounding', (shape) => {
    const data = seededData(shape.reduce((a, b) => a * b, 1), shape.length);
    const numTensors = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    let rank = -1;
    const [got] = valuesOn('webgpu', () => {
      const s = absSum(tf.tensor(data, shape));
      rank = s.rank;
      return s;
    });
    expect(tf.memory().numTensors).toBe(numTensors);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
    const [want] = valuesOn('cpu', () => tf.sum(tf.abs(tf.tensor(data, shape))));
    expect(rank).toBe(0);
    // Both sum in float32 in different orders: about √n ulps apart.
    expect(Math.abs(got![0]! - want![0]!) / want![0]!).toBeLessThan(1e-5);
  });

  it('is NaN with a NaN, infinite with an infinity, 0 for an empty tensor', () => {
    const run = (values: number[]) => valuesOn('webgpu', () => absSum(tf.tensor1d(values)))[0]![0];
    expect(run([1, NaN, -2])).toBeNaN();
    expect(run([1, -Infinity, 2])).toBe(Infinity);
    expect(run([])).toBe(0);
  });

  it('gives the same bits on every run, in one dispatch', () => {
    const data = seededData(100_003, 5);
    const first = valuesAndDispatches(() => absSum(tf.tensor1d(data)));
    expect(first.dispatches).toBe(1);
    const [second] = valuesOn('webgpu', () => absSum(tf.tensor1d(data)));
    expect(second![0]).toBe(first.values[0]![0]);
  });

  it('rejects what it was not written for', () => {
    expect(() => valuesOn('webgpu', () => absSum(tf.tensor1d([1, 2], 'int32')))).toThrow(/x must be float32/);
  });
});
