import { backendsUnderTest, useBackendUnderTest } from '@facemask/engine';
import * as tf from '@tensorflow/tfjs-core';
import { input as tfInput, model as tfModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { TorchBatchNorm } from './custom-layers.ts';
import { foldBatchNorms } from './fold.ts';
import { FEATURE_NORM, MULTI_HEADS } from './heads.ts';
import { createModel, type ModelOptionsInput } from './registry.ts';

// cpu (the reference kernels) and the engine TFJS_BACKEND names (wasm by default).
const ENGINES = backendsUnderTest();

/** Non-trivial running statistics and affine parameters, so a wrong fold shows. */
function randomiseBatchNorms(model: LayersModel): void {
  model.layers
    .filter((l) => l instanceof TorchBatchNorm)
    .forEach((l, i) => {
      const c = l.weights[0]!.shape[0] as number;
      const v = [
        tf.randomUniform([c], 0.5, 1.5, 'float32', 4 * i),
        tf.randomNormal([c], 0, 0.2, 'float32', 4 * i + 1),
        tf.randomNormal([c], 0, 0.2, 'float32', 4 * i + 2),
        tf.randomUniform([c], 0.5, 1.5, 'float32', 4 * i + 3),
      ];
      l.setWeights(v);
      tf.dispose(v);
    });
}

/** Each output equal to the reference's to float rounding (relative to its largest value). */
function expectSameOutputs(got: tf.Tensor[], want: tf.Tensor[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    const w = want[i] as tf.Tensor;
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(g, w))).dataSync()[0] as number);
    const scale = tf.tidy(() => tf.max(tf.abs(w)).dataSync()[0] as number);
    expect(err / scale, `output ${i}`).toBeLessThan(1e-5);
  });
}

describe.each(ENGINES)('foldBatchNorms on %s', (engine) => {
  beforeAll(async () => {
    await useBackendUnderTest(engine);
  });

  it.each([
    ['resnet18', { inputHeight: 64, inputWidth: 48, head: 'single' }],
    ['resnet34', { inputHeight: 57, inputWidth: 45, head: 'single', widthMultiplier: 0.25 }],
    ['resnet50', { inputHeight: 40, inputWidth: 40, head: 'multi', widthMultiplier: 0.25, dropout: 0.3 }],
  ] as [string, ModelOptionsInput][])('%s %j: eval outputs to float rounding, no BatchNorm left, owns its weights', async (name, opts) => {
    const before = tf.memory().numTensors;
    const model = await createModel(name, { ...opts, seed: 5 }, { log: () => {} });
    randomiseBatchNorms(model);
    const x = tf.randomNormal([3, opts.inputHeight, opts.inputWidth, 3], 0, 1, 'float32', 6);
    const want = [model.predict(x)].flat() as tf.Tensor[];
    const folded = foldBatchNorms(model);
    expect(folded.layers.filter((l) => l instanceof TorchBatchNorm)).toEqual([]);
    // Only the max-pool's padding stays; the convs pad explicitly.
    expect(folded.layers.filter((l) => l.getClassName() === 'ZeroPadding2D').map((l) => l.name)).toEqual(['maxpool_pad']);
    expect(folded.layers.length).toBeLessThan(model.layers.length);
    model.dispose();
    const got = [folded.predict(x)].flat() as tf.Tensor[];
    expectSameOutputs(got, want);
    tf.dispose([x, ...want, ...got]);
    folded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('folds a model whose head another model shares (train\'s head-only model): the feature norm stays, outputs to float rounding', async () => {
    const before = tf.memory().numTensors;
    const opts: ModelOptionsInput = { inputHeight: 48, inputWidth: 48, head: 'multi', widthMultiplier: 0.25, featureLayers: ['layer2', 'layer3'], featureNorm: true };
    const model = await createModel('resnet18', { ...opts, seed: 5 }, { log: () => {} });
    randomiseBatchNorms(model);
    const norm = model.getLayer(FEATURE_NORM);
    const features = tfInput({ shape: [(norm.inboundNodes[0]!.inputTensors[0] as SymbolicTensor).shape[1] as number] });
    const shared = norm.apply(features) as SymbolicTensor;
    const headOnly = tfModel({ inputs: features, outputs: MULTI_HEADS.map((h) => model.getLayer(h.name).apply(shared) as SymbolicTensor) });
    const x = tf.randomNormal([2, 48, 48, 3], 0, 1, 'float32', 7);
    const want = [model.predict(x)].flat() as tf.Tensor[];
    const folded = foldBatchNorms(model);
    expect(folded.layers.filter((l) => l instanceof TorchBatchNorm).map((l) => l.name)).toEqual([FEATURE_NORM]);
    const got = [folded.predict(x)].flat() as tf.Tensor[];
    expectSameOutputs(got, want);
    tf.dispose([x, ...want, ...got]);
    folded.dispose();
    model.dispose();
    headOnly.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
