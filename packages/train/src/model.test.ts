import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, stageParams } from '@facemask/contracts';
import { useBackendUnderTest } from '@facemask/engine';
import { FEATURE_NORM, FEATURES_CONCAT } from '@facemask/model-resnet';
import { createFoldModel } from './model.ts';

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
});
