import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, stageParams } from '@facemask/contracts';
import { useBackendUnderTest } from '@facemask/engine';
import * as tf from '@tensorflow/tfjs-core';
import { AGE_BINS, AGE_DISTRIBUTION, AGE_THRESHOLDS, FEATURE_NORM, FEATURES_CONCAT } from '@facemask/model-resnet';
import { ageBandsOf, createFoldModel, trainingView } from './model.ts';

beforeAll(async () => {
  await useBackendUnderTest('cpu');
});

describe('createFoldModel', () => {
  it('builds the model section as configured: features from several depths and the feature norm', async () => {
    const cfg = parseConfig({ data: { root: '/d' }, model: { arch: 'resnet18', widthMultiplier: 0.25, featureLayers: ['layer3'], featureNorm: true, trainableStages: 1 }, train: { mode: 'finetune' } });
    const m = await createFoldModel(stageParams(cfg, 'train'), { height: 32, width: 32 }, () => {});
    expect(m.getLayer(FEATURES_CONCAT).outputShape).toEqual([null, 64 + 128]);
    expect(m.getLayer(FEATURE_NORM).trainable).toBe(true);
    expect(m.getLayer('layer3.1.conv2').trainable).toBe(false);
    expect(m.getLayer('layer4.1.conv2').trainable).toBe(true);
    m.dispose();
  });

  it.each([
    ['ordinal', AGE_THRESHOLDS, 26],
    ['distribution', AGE_DISTRIBUTION, AGE_BINS],
  ] as const)("ageHead '%s': three outputs for prediction, a training view with the exact-age logits (%s) as a fourth", async (ageHead, layer, width) => {
    const cfg = parseConfig({ data: { root: '/d' }, model: { arch: 'resnet18', widthMultiplier: 0.25, head: 'multi', ageHead }, train: { mode: 'frozen' } });
    const m = await createFoldModel(stageParams(cfg, 'train'), { height: 32, width: 32 }, () => {}, { young: 30, old: 58 });
    expect(m.outputs.length).toBe(3);
    const view = trainingView(m);
    expect(view).not.toBe(m);
    expect(view.outputs.map((o) => o.shape)).toEqual([[null, 3], [null, 2], [null, 3], [null, width]]);
    // The same weights: training the view trains the model.
    expect(view.trainableWeights.map((w) => w.name)).toEqual(m.trainableWeights.map((w) => w.name));
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 4);
    const a = m.predict(x) as tf.Tensor[];
    const b = view.predict(x) as tf.Tensor[];
    a.forEach((t, i) => expect(Array.from(b[i]!.dataSync())).toEqual(Array.from(t.dataSync())));
    expect(view.outputNames[3]).toContain(layer);
    tf.dispose([x, ...a, ...b]);
    m.dispose();
    // The band head trains on the model itself.
    const bands = await createFoldModel(stageParams(parseConfig({ data: { root: '/d' }, model: { arch: 'resnet18', widthMultiplier: 0.25, head: 'multi' } }), 'train'), { height: 32, width: 32 }, () => {});
    expect(trainingView(bands)).toBe(bands);
    bands.dispose();
  });

  it("reads the band thresholds the samples were labelled with from the fingerprint's preprocess options", () => {
    expect(ageBandsOf({ options: { seed: 1, preprocess: { youngAgeThreshold: 30, oldAgeThreshold: 58 } } })).toEqual({ young: 30, old: 58 });
    expect(() => ageBandsOf({ options: { seed: 1 } })).toThrow(/records no age thresholds/);
  });
});
