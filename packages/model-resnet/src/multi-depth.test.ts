import { parseSafetensors } from '@facemask/engine';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NORM, HEAD_LAYERS } from './heads.ts';
import { createModel } from './registry.ts';
import { FEATURES_CONCAT, featureTaps } from './taps.ts';
import { useBackend } from './test-utils/backend.ts';
import { exportStateDictBytes, loadTorchSafetensors } from './torch-weights.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

const SMALL = { inputHeight: 32, inputWidth: 32, widthMultiplier: 0.25 };

describe('model.featureLayers (features from several depths)', () => {
  it("feeds the head each named layer's spatial mean, then the last pooled features, and the 'features' tap reads that", async () => {
    const m = await createModel('resnet18', { ...SMALL, featureLayers: ['layer2', 'layer3.0.out'], seed: 5 });
    // resnet18 at width 1/4: layer2 has 32 channels, layer3 64, the last pool 128
    expect(m.getLayer(HEAD_LAYERS.single).getWeights()[0]?.shape).toEqual([32 + 64 + 128, 18]);
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 9);
    const [l2, l3, last, head] = featureTaps(m, ['layer2', 'layer3.0.out', 'avgpool', 'features']).predict(x) as tf.Tensor[];
    // independent: the spatial means of the raw maps, concatenated in order
    const want = tf.concat([tf.mean(l2 as tf.Tensor, [1, 2]), tf.mean(l3 as tf.Tensor, [1, 2]), last as tf.Tensor], 1);
    expect(head?.shape).toEqual([2, 224]);
    expect(Math.max(...tf.abs(tf.sub(head as tf.Tensor, want)).dataSync())).toBeLessThan(1e-5);
    expect(m.getLayer(FEATURES_CONCAT)).toBeDefined();
    m.dispose();
  });

  it('featureBands: each layer averaged per horizontal band, top first, before the last pooled features', async () => {
    await expect(createModel('resnet18', { ...SMALL, featureLayers: ['layer3'], featureBands: 3 })).rejects.toThrow(/model\.featureBands: layer "layer3" is 2 rows high, fewer than the 3 bands/);
    const big = await createModel('resnet18', { inputHeight: 48, inputWidth: 40, widthMultiplier: 0.25, featureLayers: ['layer1', 'layer2'], featureBands: 3, seed: 5 });
    // layer1: 16 channels on 12x10, layer2: 32 on 6x5, the last pool 128
    expect(big.getLayer(HEAD_LAYERS.single).getWeights()[0]?.shape).toEqual([3 * 16 + 3 * 32 + 128, 18]);
    const x = tf.randomNormal([2, 48, 40, 3], 0, 1, 'float32', 9);
    const [l1, l2, last, head] = featureTaps(big, ['layer1', 'layer2', 'avgpool', 'features']).predict(x) as tf.Tensor[];
    // independent: row ranges by hand (12 rows: 0-3, 4-7, 8-11; 6 rows: 0-1, 2-3, 4-5), their means
    const rows = (t: tf.Tensor, from: number, to: number) => tf.mean(tf.slice(t as tf.Tensor4D, [0, from, 0, 0], [-1, to - from, -1, -1]), [1, 2]);
    const want = tf.concat([rows(l1!, 0, 4), rows(l1!, 4, 8), rows(l1!, 8, 12), rows(l2!, 0, 2), rows(l2!, 2, 4), rows(l2!, 4, 6), last as tf.Tensor], 1);
    expect(head?.shape).toEqual([2, 3 * 16 + 3 * 32 + 128]);
    expect(Math.max(...tf.abs(tf.sub(head as tf.Tensor, want)).dataSync())).toBeLessThan(1e-5);
    big.dispose();
  });

  it("names an extra backbone's layer too: its bands go before the main backbone's pool, its own pool last", async () => {
    const m = await createModel('resnet18', { ...SMALL, featureLayers: ['layer2', 'faceres.conv_pw_13_relu'], featureBands: 2, extraBackbones: ['faceres'], seed: 5 });
    // layer2: 32 channels in 2 bands; faceres' last map (7x7 after its 224 resize): 1024 in 2 bands; the pool 128; faceres' pool 1024
    expect(m.getLayer(HEAD_LAYERS.single).getWeights()[0]?.shape).toEqual([2 * 32 + 2 * 1024 + 128 + 1024, 18]);
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 9);
    const [fr, head] = featureTaps(m, ['faceres.conv_pw_13_relu', 'features']).predict(x) as tf.Tensor[];
    expect(fr?.shape).toEqual([2, 7, 7, 1024]);
    // independent: rows 0-2 and 3-6 of the 7-row map, their means, at their place after layer2's two bands
    const rows = (from: number, to: number) => tf.mean(tf.slice(fr as tf.Tensor4D, [0, from, 0, 0], [-1, to - from, -1, -1]), [1, 2]);
    const got = tf.slice(head as tf.Tensor2D, [0, 2 * 32], [-1, 2 * 1024]);
    expect(Math.max(...tf.abs(tf.sub(got, tf.concat([rows(0, 3), rows(3, 7)], 1))).dataSync())).toBeLessThan(1e-4);
    m.dispose();
  });

  it('leaves the model as it was without layers, and names a missing or flat layer', async () => {
    const plain = await createModel('faceapi_resnet29', { inputHeight: 150, inputWidth: 150, featureLayers: [] });
    expect(plain.layers.some((l) => l.name === FEATURES_CONCAT)).toBe(false);
    expect(plain.getLayer(HEAD_LAYERS.single).getWeights()[0]?.shape).toEqual([256, 18]);
    plain.dispose();
    const deep = await createModel('faceapi_resnet29', { inputHeight: 150, inputWidth: 150, featureLayers: ['conv64_3.out', 'conv128_2.out'], head: 'multi' });
    expect(deep.getLayer(HEAD_LAYERS.mask).getWeights()[0]?.shape).toEqual([64 + 128 + 256, 3]);
    deep.dispose();
    await expect(createModel('resnet18', { ...SMALL, featureLayers: ['layer9'] })).rejects.toThrow(/model\.featureLayers: no layer "layer9" in the backbone/);
    await expect(createModel('resnet18', { ...SMALL, featureLayers: ['avgpool'] })).rejects.toThrow(/model\.featureLayers: layer "avgpool" has output shape \[N, 128\], not a feature map/);
  });
});

describe('model.featureNorm', () => {
  it('normalises the head input over the batch when training and trains with the head when the backbone is frozen', async () => {
    const m = await createModel('resnet18', { ...SMALL, featureNorm: true, trainableStages: 0, seed: 2 });
    const norm = m.getLayer(FEATURE_NORM);
    expect(norm.trainable).toBe(true);
    expect(m.getLayer('layer4.1.conv2').trainable).toBe(false);
    const feats = tf.add(tf.mul(tf.randomNormal([16, 128], 0, 1, 'float32', 3), 0.1), 1); // far from 0, small spread
    const y = norm.apply(feats, { training: true }) as tf.Tensor;
    const { mean, variance } = tf.moments(y, 0);
    expect(Math.max(...tf.abs(mean).dataSync())).toBeLessThan(1e-4);
    expect(Math.max(...tf.abs(tf.sub(variance, 1)).dataSync())).toBeLessThan(1e-2);
    m.dispose();
  });

  it('counts as head: torchvision weights without it load, and it keeps its initial values', async () => {
    const src = await createModel('resnet18', { ...SMALL, seed: 1 });
    const bytes = exportStateDictBytes(src);
    src.dispose();
    const m = await createModel('resnet18', { ...SMALL, featureNorm: true, seed: 4 });
    const report = await loadTorchSafetensors(m, parseSafetensors(bytes), { log: () => {} });
    expect(report.skipped.map((s) => s.key)).toEqual(expect.arrayContaining(['feature_norm.weight', 'feature_norm.running_var']));
    expect(report.loaded).toContain('layer4.1.conv2.weight');
    m.dispose();
  });
});
