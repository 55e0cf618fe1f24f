import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, saveModel } from '@facemask/engine';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelOptionsInput } from './registry.ts';
import { createModel, setTrainableStages } from './registry.ts';
import { TorchBatchNorm } from './custom-layers.ts';
import { useBackend } from './test-utils/backend.ts';

let tmp: string;
beforeAll(async () => {
  await useBackend('cpu');
  tmp = await mkdtemp(join(tmpdir(), 'model-resnet-io-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function outputs(model: LayersModel, x: tf.Tensor): Promise<Float32Array[]> {
  const out = [model.predict(x)].flat() as tf.Tensor[];
  const data = await Promise.all(out.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(out);
  return data;
}

describe('save/load round trip (core saveModel/loadModel)', () => {
  it.each([
    ['resnet18', { inputHeight: 40, inputWidth: 48, head: 'single', dropout: 0.3 }],
    ['resnet50', { inputHeight: 40, inputWidth: 40, head: 'multi', widthMultiplier: 0.25 }],
    ['faceapi_resnet29', { inputHeight: 150, inputWidth: 150, head: 'single', numClasses: 4 }],
  ] as [string, ModelOptionsInput][])('%s %j gives identical outputs after loading', async (name, opts) => {
    const model = await createModel(name, { ...opts, seed: 9, trainableStages: 2 });
    // Non-trivial BN statistics, so a lost moving mean/variance would show.
    for (const layer of model.layers.filter((l) => l instanceof TorchBatchNorm)) {
      const c = layer.weights[0]?.shape[0] as number;
      const vals = [tf.fill([c], 1.3), tf.fill([c], 0.1), tf.fill([c], 0.2), tf.fill([c], 0.7)];
      layer.setWeights(vals);
      tf.dispose(vals);
    }
    const x = tf.randomNormal([2, opts.inputHeight, opts.inputWidth, 3], 0, 1, 'float32', 4);
    const dir = join(tmp, name);
    await saveModel(model, dir);
    const loaded = await loadModel(dir);
    expect(loaded.name).toBe(name);
    const [a, b] = [await outputs(model, x), await outputs(loaded, x)];
    expect(a.length).toBe(b.length);
    a.forEach((t, i) => expect(Buffer.from(t.buffer).equals(Buffer.from((b[i] as Float32Array).buffer)), `output ${i}`).toBe(true));
    // The layer classes and their settings survive: eps stays torch's, freezing can be re-applied.
    const bns = loaded.layers.filter((l) => l instanceof TorchBatchNorm) as TorchBatchNorm[];
    expect(bns.length > 0).toBe(name.startsWith('resnet'));
    for (const bn of bns) expect(bn.epsilon).toBe(1e-5);
    setTrainableStages(loaded, 0);
    expect(loaded.trainableWeights.every((w) => w.originalName.startsWith('fc'))).toBe(true);
    x.dispose();
    model.dispose();
    loaded.dispose();
  });
});
