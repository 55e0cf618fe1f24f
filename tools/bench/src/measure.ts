import * as tf from '@tensorflow/tfjs-core';
import { parseConfig } from '@facemask/contracts';
import { createModel, foldBatchNorms } from '@facemask/model-resnet';
import { createHeadAdapter, createOptimizer, trainableVariables, trainStep } from '@facemask/train';

export interface Measurement {
  backend: string;
  arch: string;
  size: number;
  batch: number;
  trainImagesPerSecond: number;
  inferImagesPerSecond: number;
  steps: number;
}

/**
 * What one benchmarked training step needs: a seeded model, the single head with label smoothing,
 * the config's default optimiser (SGD with momentum) and a random batch with targets. The caller
 * disposes x, y and the model.
 */
export async function benchStep(arch: string, size: number, batch: number) {
  const model = await createModel(arch, { inputHeight: size, inputWidth: size, seed: 1 }, { log: () => {} });
  const cfg = parseConfig({ data: { root: '.' }, loss: { name: 'label_smoothing' } });
  const head = createHeadAdapter('single', cfg.loss, null);
  const optimizer = createOptimizer(cfg.optim, trainableVariables(model));
  const x = tf.randomNormal([batch, size, size, 3], 0, 1, 'float32', 1);
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 18), 'int32'), 18), 'float32')) as tf.Tensor2D;
  return { model, head, optimizer, x, y };
}

/**
 * Images/s of full training steps (forward, backward, SGD update) and of inference (eval mode,
 * BatchNorms folded as the pipeline predicts) for one model at one input size, each after one
 * warm-up step. Runs on whatever backend is current.
 */
export async function measure(arch: string, size: number, batch: number, steps: number): Promise<Measurement> {
  const { model, head, optimizer, x, y } = await benchStep(arch, size, batch);
  try {
    trainStep(model, head, optimizer, x, y);
    let t = performance.now();
    for (let i = 0; i < steps; i++) trainStep(model, head, optimizer, x, y);
    const train = (steps * batch) / ((performance.now() - t) / 1000);
    // Inference as the pipeline runs it (train's predictRows): BatchNorms folded into the convs.
    const inference = foldBatchNorms(model);
    let infer: number;
    try {
      tf.tidy(() => (inference.predict(x) as tf.Tensor).dataSync());
      t = performance.now();
      for (let i = 0; i < steps; i++) tf.tidy(() => (inference.predict(x) as tf.Tensor).dataSync());
      infer = (steps * batch) / ((performance.now() - t) / 1000);
    } finally {
      inference.dispose();
    }
    return { backend: tf.getBackend(), arch, size, batch, trainImagesPerSecond: train, inferImagesPerSecond: infer, steps };
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}
