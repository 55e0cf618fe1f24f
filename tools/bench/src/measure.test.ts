import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '@facemask/engine';
import { measure } from './measure.ts';

describe('measure', () => {
  it('times training steps and inference of a registry model without leaking tensors', async () => {
    await selectBackend({ prefer: 'wasm', log: () => {} });
    const before = tf.memory().numTensors;
    const m = await measure('resnet18', 32, 2, 1);
    expect(tf.memory().numTensors).toBe(before);
    expect(m).toMatchObject({ backend: 'wasm', arch: 'resnet18', size: 32, batch: 2, steps: 1 });
    expect(m.trainImagesPerSecond).toBeGreaterThan(0);
    expect(m.inferImagesPerSecond).toBeGreaterThan(m.trainImagesPerSecond);
  }, 120_000);

  it('names an unknown architecture', async () => {
    await expect(measure('resnet7', 32, 2, 1)).rejects.toThrow(/unknown model "resnet7"/);
  });
});
