import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configSchema, NUM_CLASSES } from '@facemask/contracts';
import { foldStore } from './checkpoint.ts';
import { createHeadAdapter, type HeadAdapter } from './head.ts';
import { trainLoop } from './loop.ts';
import { createOptimizer } from './optim/index.ts';
import type { FoldRows } from './rows.ts';
import { featureSource } from './source.ts';
import { DivergedError, trainableVariables, trainStep } from './step.ts';
import { ABS_SUM, engineUnderTest, SGD_UPDATE } from '@facemask/engine';

/**
 * The divergence guards: a non-finite loss or gradient stops training before the weights change,
 * and every divergence names the fold, epoch and batch (or validation) it happened in.
 */
const DIM = 6;
const cross = createHeadAdapter('single', { name: 'cross_entropy' }, null);

/**
 * Cross-entropy plus 0 * sum(sqrt(z - z)) over the logits z: the value is the plain
 * cross-entropy (finite), the gradient of sqrt at 0 is infinite and inf - inf makes every
 * gradient NaN, as a norm or a square root at 0 does in a real loss.
 */
const nanGradient: HeadAdapter = {
  ...cross,
  loss: (outputs, targets) =>
    tf.tidy(() => {
      const z = outputs[0]!;
      return tf.add(cross.loss(outputs, targets), tf.mul(0, tf.sum(tf.sqrt(tf.sub(z, z))))) as tf.Scalar;
    }),
};

/** Training is fine; the probabilities the validation pass scores are NaN. */
const nanValidation: HeadAdapter = { ...cross, probs: (outputs) => tf.fill([outputs[0]!.shape[0]!, NUM_CLASSES], NaN) as tf.Tensor2D };

function classifier(): tfl.LayersModel {
  return tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [DIM], units: NUM_CLASSES, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) })] });
}

const params = configSchema.parse({ data: { root: '.' }, optim: { name: 'sgd', lr: 0.1 }, scheduler: { name: 'none' }, train: { epochs: 2, batchSize: 4 } });

let dir: string;
beforeAll(async () => {
  await engineUnderTest();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'guard-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('trainStep', () => {
  it('stops on a NaN gradient under a finite loss, before the weights change', () => {
    const model = classifier();
    const optimizer = createOptimizer(params.optim, trainableVariables(model));
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const x = tf.randomUniform([4, DIM], 0, 1, 'float32', 1);
    const y = tf.cast(tf.oneHot([0, 1, 2, 3], NUM_CLASSES), 'float32') as tf.Tensor2D;
    const scalar = (f: () => tf.Scalar) => {
      const t = tf.tidy(f);
      const v = t.dataSync()[0]!;
      t.dispose();
      return v;
    };
    // the loss is the plain cross-entropy, finite
    const loss = scalar(() => nanGradient.loss([model.apply(x) as tf.Tensor], y));
    expect(loss).toBe(scalar(() => cross.loss([model.apply(x) as tf.Tensor], y)));
    expect(Number.isFinite(loss)).toBe(true);
    const tensors = tf.memory().numTensors;
    expect(() => trainStep(model, nanGradient, optimizer, x, y)).toThrow(new DivergedError(`a gradient is NaN while the loss (${loss}) is finite`));
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([x, y]);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    optimizer.dispose();
    model.dispose();
  });

  it("runs the engine's fused kernels where the backend has them (webgpu): Σ|g| and the update, one each per parameter", async () => {
    const model = classifier();
    const vars = trainableVariables(model);
    const optimizer = createOptimizer(params.optim, vars);
    const x = tf.randomUniform([4, DIM], 0, 1, 'float32', 1);
    const y = tf.cast(tf.oneHot([0, 1, 2, 3], NUM_CLASSES), 'float32') as tf.Tensor2D;
    // The second step: the one with momentum buffers to read.
    trainStep(model, cross, optimizer, x, y);
    const names = (await tf.profile(() => trainStep(model, cross, optimizer, x, y))).kernels.map((k) => k.name);
    const count = (name: string) => names.filter((n) => n === name).length;
    const fused = tf.getBackend() === 'webgpu';
    expect([count(ABS_SUM), count(SGD_UPDATE)]).toEqual(fused ? [vars.length, vars.length] : [0, 0]);
    expect(count('Abs')).toBe(fused ? 0 : vars.length);
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });
});

describe('trainLoop', () => {
  // 12 training rows (3 batches of 4), 4 validation rows, of random features
  const rows: FoldRows = {
    trainRows: Array.from({ length: 12 }, (_, i) => ({ id: `t${i}`, cacheRow: i, cls: i % NUM_CLASSES, target: oneHot(i % NUM_CLASSES) })),
    valRows: Array.from({ length: 4 }, (_, i) => ({ id: `v${i}`, cacheRow: 12 + i, cls: i, target: oneHot(i) })),
    evalRows: [],
    evalIds: [],
  };
  const plain = Float32Array.from({ length: 16 * DIM }, (_, i) => Math.sin(i));
  const source = featureSource({ dim: DIM, plain, flipped: plain, count: 16 }, { flipP: 0, rngFor: () => () => 0.5 });

  async function run(head: HeadAdapter): Promise<Error> {
    const model = classifier();
    try {
      const store = foldStore(dir);
      await trainLoop({ params, round: 1, fold: 2, head, rows, runKey: 'k', store, quiet: true, log: () => {} }, source, model);
      throw new Error('training did not stop');
    } catch (err) {
      return err as Error;
    } finally {
      model.dispose();
    }
  }

  it('names the fold, epoch and batch of a NaN gradient', async () => {
    const err = await run(nanGradient);
    expect(err).toBeInstanceOf(DivergedError);
    expect(err.message).toMatch(/^training diverged in fold 2, epoch 1, batch 1: a gradient is NaN while the loss \(.+\) is finite\. The last good checkpoint \(after epoch 0\)/);
  });

  it('names the fold and epoch of NaN validation probabilities', async () => {
    const err = await run(nanValidation);
    expect(err.message).toMatch(/^training diverged in fold 2, epoch 1, validation: the probabilities of validation photo v0 are NaN\. The last good checkpoint \(after epoch 0\)/);
  });
});

function oneHot(c: number): number[] {
  return Array.from({ length: NUM_CLASSES }, (_, k) => (k === c ? 1 : 0));
}
