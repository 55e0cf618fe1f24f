/**
 * Child process for determinism.test.ts: a few SGD steps of a small ResNet-18 in train mode on
 * the engine under test; prints the sha256 of every weight (BatchNorm running statistics included).
 */
import { createHash } from 'node:crypto';
import { engineUnderTest } from '@facemask/engine';
import * as tf from '@tensorflow/tfjs-core';
import { createModel } from '../registry.ts';

await engineUnderTest();
const model = await createModel('resnet18', { inputHeight: 32, inputWidth: 32, seed: 1, widthMultiplier: 0.25 });
const x = tf.randomNormal([8, 32, 32, 3], 0, 1, 'float32', 2);
const y = tf.oneHot(tf.tensor1d([3, 14, 1, 2, 5, 6, 7, 8], 'int32'), 18);
const opt = tf.train.momentum(0.01, 0.9);
const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
for (let i = 0; i < 3; i++) {
  opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, false, vars);
}
const hash = createHash('sha256');
for (const w of model.weights) hash.update(Buffer.from((w.read().dataSync() as Float32Array).buffer));
process.stdout.write(`${JSON.stringify({ backend: tf.getBackend(), weights: hash.digest('hex') })}\n`);
