import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { engineName, engineUnderTest } from '../engine-under-test.ts';
import { seededData, valuesOn } from '../wasm-kernels/parity.ts';
import { WEBGPU_KERNELS } from './index.ts';

// Runs where webgpu is the engine under test (TFJS_BACKEND=webgpu, CI's lavapipe step).
describe.runIf(engineName() === 'webgpu')('webgpu AddN (chunks of at most 7 inputs)', () => {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-backend-cpu');
    await engineUnderTest();
  });

  it('is registered over the backend own kernel', () => {
    expect(WEBGPU_KERNELS).toContain(tf.AddN);
  });

  for (const n of [2, 7, 8, 15, 67]) {
    it(`sums ${n} tensors as cpu does, without leaking`, () => {
      const inputs = Array.from({ length: n }, (_, i) => seededData(300, 100 + i));
      const run = () => tf.addN(inputs.map((d) => tf.tensor2d(d, [20, 15])));
      const numTensors = tf.memory().numTensors;
      const dataIds = tf.engine().backend.numDataIds();
      const [gpu] = valuesOn('webgpu', run);
      expect(tf.memory().numTensors).toBe(numTensors);
      expect(tf.engine().backend.numDataIds()).toBe(dataIds);
      const [cpu] = valuesOn('cpu', run);
      let worst = 0;
      for (let i = 0; i < cpu!.length; i++) worst = Math.max(worst, Math.abs(gpu![i]! - cpu![i]!));
      // Float32 sums in another order: a few ulps of values up to ~n·4.
      expect(worst).toBeLessThan(1e-5 * n);
    });
  }
});
