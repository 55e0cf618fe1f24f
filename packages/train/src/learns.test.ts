import * as tf from '@tensorflow/tfjs-core';
import { parseConfig } from '@facemask/contracts';
import { engineUnderTest } from '@facemask/engine';
import { createModel } from '@facemask/model-resnet';
import { expect, it } from 'vitest';
import { createHeadAdapter } from './head.ts';
import { createOptimizer } from './optim/factory.ts';
import { trainableVariables, trainStep } from './step.ts';

/**
 * Training learns, in few steps on every engine: the project's ResNet-18 (width 1/4, 16 px), head,
 * AdamW and train step fit a batch whose four classes differ in which colour channel is bright.
 * fold.test.ts's 12-epoch fold is the full check; on lavapipe (the webgpu engine in CI) it takes
 * 6 to 10 minutes, this one well under one, so `pnpm test:webgpu` runs this.
 */
it('the train step fits a four-class batch: the loss falls below a twentieth of where it started', async () => {
  await engineUnderTest();
  const model = await createModel('resnet18', { inputHeight: 16, inputWidth: 16, widthMultiplier: 0.25, seed: 3 }, { log: () => {} });
  const cfg = parseConfig({ data: { root: '.' }, loss: { name: 'cross_entropy' }, optim: { name: 'adamw', lr: 0.003, weightDecay: 0 } });
  const head = createHeadAdapter('single', cfg.loss, null);
  const optimizer = createOptimizer(cfg.optim, trainableVariables(model));
  const batch = 8;
  const labels = Array.from({ length: batch }, (_, i) => i % 4);
  const x = tf.tidy(() => {
    const noise = tf.randomUniform([batch, 16, 16, 3], -0.5, 0.5, 'float32', 7);
    // class c: channel c bright (class 3: all three dim)
    const bright = tf.tensor4d(labels.flatMap((c) => [0, 1, 2].map((ch) => (ch === c ? 2 : -1))), [batch, 1, 1, 3]);
    return tf.add(noise, bright);
  });
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 18), 'float32')) as tf.Tensor2D;
  // The first step creates AdamW's state; every later one leaves the count where it was.
  const losses = [trainStep(model, head, optimizer, x, y)];
  const before = tf.memory().numTensors;
  for (let step = 1; step < 10; step++) losses.push(trainStep(model, head, optimizer, x, y));
  expect(tf.memory().numTensors, 'no tensors left behind by the steps').toBe(before);
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses[losses.length - 1]!, losses.map((l) => l.toFixed(3)).join(' ')).toBeLessThan(losses[0]! / 20);
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
});
