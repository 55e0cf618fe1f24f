import type * as tf from '@tensorflow/tfjs-core';
import { input as tfInput, layers, model as tfModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { HEAD_LAYERS } from './heads.ts';
import { createModel, listModels, registerModel } from './registry.ts';
import { useBackend } from './test-utils/backend.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

const SIZE = { inputHeight: 32, inputWidth: 32 };

function firstKernel(m: { getLayer(n: string): { getWeights(): tf.Tensor[] } }, layer = 'conv1'): Float32Array {
  return m.getLayer(layer).getWeights()[0]?.dataSync() as Float32Array;
}

describe('registry', () => {
  it('lists the built-in architectures', () => {
    expect(listModels()).toEqual(expect.arrayContaining(['resnet18', 'resnet34', 'resnet50', 'faceapi_resnet29']));
  });

  it('names the available models for an unknown name and the bad option for invalid options', async () => {
    await expect(createModel('resnet101', SIZE)).rejects.toThrow(/unknown model "resnet101"; available: .*resnet18/);
    await expect(createModel('resnet18', { ...SIZE, head: 'triple' as 'single' })).rejects.toThrow(/head:/);
    await expect(createModel('resnet18', { ...SIZE, dropout: 1.5 })).rejects.toThrow(/dropout:/);
    await expect(createModel('resnet18', { ...SIZE, trainableStages: -3 })).rejects.toThrow(/trainableStages:/);
    await expect(createModel('resnet18', { ...SIZE, batchSize: 3 } as never)).rejects.toThrow(/batchSize/);
  });

  it('is deterministic in the seed', async () => {
    const a = await createModel('resnet18', { ...SIZE, seed: 3 });
    const b = await createModel('resnet18', { ...SIZE, seed: 3 });
    const c = await createModel('resnet18', { ...SIZE, seed: 4 });
    for (const layer of ['conv1', 'layer3.1.conv2', HEAD_LAYERS.single]) {
      expect(Buffer.from(firstKernel(a, layer).buffer).equals(Buffer.from(firstKernel(b, layer).buffer)), layer).toBe(true);
      expect(Buffer.from(firstKernel(a, layer).buffer).equals(Buffer.from(firstKernel(c, layer).buffer)), layer).toBe(false);
    }
    [a, b, c].forEach((m) => m.dispose());
  });

  it('widthMultiplier scales every stage', async () => {
    const m = await createModel('resnet50', { ...SIZE, widthMultiplier: 0.5 });
    expect(m.getLayer('conv1').getWeights()[0]?.shape).toEqual([7, 7, 3, 32]);
    expect(m.getLayer('layer4.2.conv3').getWeights()[0]?.shape).toEqual([1, 1, 256, 1024]);
    expect(m.getLayer(HEAD_LAYERS.single).getWeights()[0]?.shape).toEqual([1024, 18]);
    m.dispose();
  });

  it('explains an input too small for the architecture', async () => {
    await expect(createModel('faceapi_resnet29', { inputHeight: 64, inputWidth: 64 })).rejects.toThrow(/faceapi_resnet29.*64x64/);
  });

  it('registerModel adds a factory that createModel builds, loads and freezes', async () => {
    registerModel('tiny_test_net', {
      stageOf: (name) => (name === 'stem' ? 0 : 'head'),
      build(o) {
        const x = tfInput({ shape: [o.inputHeight, o.inputWidth, 3] });
        const s = layers.conv2d({ name: 'stem', filters: 4, kernelSize: 3 }).apply(x) as SymbolicTensor;
        const p = layers.globalAveragePooling2d({}).apply(s) as SymbolicTensor;
        return tfModel({ name: 'tiny_test_net', inputs: x, outputs: layers.dense({ name: 'fc', units: o.numClasses }).apply(p) as SymbolicTensor });
      },
    });
    expect(listModels()).toContain('tiny_test_net');
    const m = await createModel('tiny_test_net', { ...SIZE, numClasses: 3, trainableStages: 0 });
    expect(m.trainableWeights.map((w) => w.originalName)).toEqual(['fc/kernel', 'fc/bias']);
    m.dispose();
  });
});
