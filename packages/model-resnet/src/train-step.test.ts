import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { createModel } from './registry.ts';
import { ENGINE, useBackend } from './test-utils/backend.ts';

/** Full-size ResNet-34 on the engine under test: forward passes and training steps leave no tensors behind. */

beforeAll(async () => {
  await useBackend(ENGINE);
});

it(`ResNet-34 at 224 px: forward and training steps on ${ENGINE} with numTensors flat`, async () => {
  const model = await createModel('resnet34', { inputHeight: 224, inputWidth: 224, seed: 1 });
  const x = tf.randomNormal([2, 224, 224, 3], 0, 1, 'float32', 2);
  const y = tf.oneHot(tf.tensor1d([3, 14], 'int32'), 18);
  const opt = tf.train.momentum(0.01, 0.9);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = (): number => {
    const loss = opt.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
      vars,
    );
    const v = loss?.dataSync()[0] ?? NaN;
    loss?.dispose();
    return v;
  };

  const forward = () => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
  // Each pass blocks the event loop for seconds on wasm; yielding between them keeps vitest's
  // worker answering its runner on a loaded machine ("Timeout calling onTaskUpdate").
  const yieldToRunner = () => new Promise((r) => setImmediate(r));
  forward();
  await yieldToRunner();
  const afterForward = tf.memory().numTensors;
  const logits0 = forward();
  expect(tf.memory().numTensors).toBe(afterForward);
  await yieldToRunner();

  const first = step(); // creates the optimizer's momentum slots
  await yieldToRunner();
  const settled = tf.memory().numTensors;
  const second = step();
  expect(tf.memory().numTensors).toBe(settled);
  expect(Number.isFinite(first) && Number.isFinite(second)).toBe(true);
  await yieldToRunner();
  expect(forward().some((v, i) => v !== logits0[i])).toBe(true);

  opt.dispose();
  tf.dispose([x, y]);
  model.dispose();
});
