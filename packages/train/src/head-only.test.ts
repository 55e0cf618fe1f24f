import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { model as tfModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { useBackendUnderTest } from '@facemask/engine';
import { AGE_THRESHOLDS, createModel, FEATURE_NORM, featureTaps, foldBatchNorms } from '@facemask/model-resnet';
import { headOnly } from './features.ts';

beforeAll(async () => {
  await useBackendUnderTest('cpu');
});

describe('headOnly', () => {
  it("runs the full model's head, its feature norm included, on the features from several depths", async () => {
    const m = await createModel('resnet18', { inputHeight: 32, inputWidth: 32, widthMultiplier: 0.25, head: 'multi', featureNorm: true, featureLayers: ['layer2'], dropout: 0.2, seed: 3 });
    // give the norm running statistics that differ from the identity, as after training
    m.getLayer(FEATURE_NORM).setWeights([tf.fill([160], 1.5), tf.fill([160], 0.1), tf.fill([160], 0.3), tf.fill([160], 2)]);
    const x = tf.randomNormal([3, 32, 32, 3], 0, 1, 'float32', 1);
    const feats = featureTaps(m, ['features']).predict(x) as tf.Tensor;
    expect(feats.shape).toEqual([3, 32 + 128]);
    const head = headOnly(m, 160);
    expect(head.layers.map((l) => l.name)).toContain(FEATURE_NORM);
    const viaHead = head.predict(feats) as tf.Tensor[];
    const whole = m.predict(x) as tf.Tensor[];
    whole.forEach((w, i) => expect(Math.max(...tf.abs(tf.sub(w, viaHead[i] as tf.Tensor)).dataSync())).toBeLessThan(1e-5));
    m.dispose();
  });

  it("with the ordinal age head: the model's three outputs and the thresholds' logits, also with its norm folded", async () => {
    const m = await createModel('resnet18', { inputHeight: 32, inputWidth: 32, widthMultiplier: 0.25, head: 'multi', ageHead: 'ordinal', featureNorm: true, seed: 5 });
    m.getLayer(FEATURE_NORM).setWeights([tf.fill([128], 1.5), tf.fill([128], 0.1), tf.fill([128], 0.3), tf.fill([128], 2)]);
    const x = tf.randomNormal([3, 32, 32, 3], 0, 1, 'float32', 2);
    const feats = featureTaps(m, ['features']).predict(x) as tf.Tensor;
    const head = headOnly(m, 128);
    expect(head.outputs.map((o) => o.shape)).toEqual([[null, 3], [null, 2], [null, 3], [null, 26]]);
    const whole = m.predict(x) as tf.Tensor[];
    const thresholds = tfModel({ inputs: m.inputs, outputs: m.getLayer(AGE_THRESHOLDS).getOutputAt(0) as SymbolicTensor }).predict(x) as tf.Tensor;
    // Prediction folds the head's BatchNorm (predictRows): the same four outputs.
    const folded = foldBatchNorms(head);
    for (const model of [head, folded]) {
      const out = model.predict(feats) as tf.Tensor[];
      [...whole, thresholds].forEach((w, i) => expect(Math.max(...tf.abs(tf.sub(w, out[i] as tf.Tensor)).dataSync())).toBeLessThan(1e-5));
    }
    folded.dispose();
    m.dispose();
  });
});
