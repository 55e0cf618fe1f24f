import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { pseudoLabelsArtifact, readArtifact, writeArtifact, type ConfigInput, FOLD_FILES, predictionsArtifact, readEpochLog, readEvalList, workLayout } from '@facemask/contracts';
import { engineUnderTest, loadModel } from '@facemask/engine';
import { HEAD_LAYERS, MULTI_HEADS } from '@facemask/model-resnet';
import { computeFeatures, freshRun, preparedDataset, trainFold } from './test-utils/dataset.ts';

let base: ConfigInput;
const model = { arch: 'resnet18', widthMultiplier: 0.25 };

beforeAll(async () => {
  await engineUnderTest();
  ({ base } = await preparedDataset(12, 31, 32));
}, 600_000);

const HEAD_NAMES = new Set<string>([HEAD_LAYERS.single, ...MULTI_HEADS.map((h) => h.name)]);

function backboneWeights(m: LayersModel): Float32Array[] {
  return m.layers.filter((l) => !HEAD_NAMES.has(l.name)).flatMap((l) => l.getWeights().map((w) => new Float32Array(w.dataSync())));
}

describe('transfer-learning modes', () => {
  it('features: computes pooled features once, trains the head only, and saves a complete classifier', async () => {
    const cfg = await freshRun(base, { model, train: { epochs: 30, batchSize: 16, mode: 'features' }, optim: { name: 'adamw', lr: 0.01 }, augment: { tta: true } });
    const before = tf.memory().numTensors;
    await computeFeatures(cfg);
    expect((await readdir(workLayout.features(cfg.data.work).dir)).sort()).toEqual(['features.json', 'features.safetensors']);
    const s0 = await trainFold(cfg, { round: 1, fold: 0, quiet: true, log: () => {} });
    expect(tf.memory().numTensors).toBe(before);
    expect(s0.complete).toBe(true);
    // a rerun of the finished fold resumes from its last epoch (best/ now holds the whole classifier)
    const lines: string[] = [];
    const again = await trainFold(cfg, { round: 1, fold: 0, quiet: true, log: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/fold 0: resuming after epoch 30\/30/);
    expect(again).toEqual(s0);

    const log = await readEpochLog(join(workLayout.fold(cfg.data.work, 1, 0).dir, FOLD_FILES.metrics));
    expect(log).toHaveLength(30);
    expect(log[29]!.trainLoss).toBeLessThan(log[0]!.trainLoss);

    // the saved model is the full network: backbone as initialised (seeded), head trained
    const saved = await loadModel(join(workLayout.fold(cfg.data.work, 1, 0).dir, FOLD_FILES.best));
    const { createModel } = await import('@facemask/model-resnet');
    const fresh = await createModel('resnet18', { inputHeight: 32, inputWidth: 32, widthMultiplier: 0.25, seed: cfg.seed }, { log: () => {} });
    try {
      expect(saved.inputs[0]!.shape).toEqual([null, 32, 32, 3]);
      const a = backboneWeights(saved);
      const b = backboneWeights(fresh);
      expect(a.length).toBe(b.length);
      a.forEach((w, i) => expect(w).toEqual(b[i]));
      expect(saved.getLayer(HEAD_LAYERS.single).getWeights()[0]!.dataSync()).not.toEqual(fresh.getLayer(HEAD_LAYERS.single).getWeights()[0]!.dataSync());
    } finally {
      saved.dispose();
      fresh.dispose();
    }
    const ev = await readArtifact(predictionsArtifact, join(workLayout.fold(cfg.data.work, 1, 0).dir, FOLD_FILES.eval));
    expect(ev.ids.length).toBe(s0.evalSamples);
  }, 600_000);

  it('frozen: the backbone (BatchNorm statistics included) does not change, the head does', async () => {
    const cfg = await freshRun(base, { model, train: { epochs: 2, batchSize: 16, mode: 'frozen' }, optim: { name: 'sgd', lr: 0.05, momentum: 0.9 } });
    await trainFold(cfg, { round: 1, fold: 2, quiet: true, log: () => {} });
    const saved = await loadModel(join(workLayout.fold(cfg.data.work, 1, 2).dir, FOLD_FILES.last, 'model'));
    const { createModel } = await import('@facemask/model-resnet');
    const fresh = await createModel('resnet18', { inputHeight: 32, inputWidth: 32, widthMultiplier: 0.25, seed: cfg.seed }, { log: () => {} });
    try {
      const a = backboneWeights(saved);
      const b = backboneWeights(fresh);
      a.forEach((w, i) => expect(w).toEqual(b[i]));
      expect(saved.getLayer(HEAD_LAYERS.single).getWeights()[0]!.dataSync()).not.toEqual(fresh.getLayer(HEAD_LAYERS.single).getWeights()[0]!.dataSync());
    } finally {
      saved.dispose();
      fresh.dispose();
    }
  }, 600_000);

  it('finetune with an extra backbone: the main backbone trains, faceres stays as loaded, no tensor left behind', async () => {
    const cfg = await freshRun(base, { model: { ...model, extraBackbones: ['faceres'] }, train: { epochs: 1, batchSize: 16, mode: 'finetune' }, optim: { name: 'sgd', lr: 0.05, momentum: 0.9 } });
    const before = tf.memory().numTensors;
    await trainFold(cfg, { round: 1, fold: 1, quiet: true, log: () => {} });
    expect(tf.memory().numTensors).toBe(before);
    const saved = await loadModel(join(workLayout.fold(cfg.data.work, 1, 1).dir, FOLD_FILES.last, 'model'));
    const { createModel, isExtraBackboneLayer } = await import('@facemask/model-resnet');
    const fresh = await createModel('resnet18', { inputHeight: 32, inputWidth: 32, widthMultiplier: 0.25, seed: cfg.seed, extraBackbones: ['faceres'] }, { log: () => {} });
    try {
      const weightsOf = (m: LayersModel, extra: boolean) => m.layers.filter((l) => isExtraBackboneLayer(l.name) === extra).flatMap((l) => l.getWeights().map((w) => Array.from(w.dataSync())));
      expect(weightsOf(saved, true).length).toBe(56);
      expect(weightsOf(saved, true)).toEqual(weightsOf(fresh, true));
      expect(saved.getLayer('conv1').getWeights()[0]!.dataSync()).not.toEqual(fresh.getLayer('conv1').getWeights()[0]!.dataSync());
    } finally {
      saved.dispose();
      fresh.dispose();
    }
  }, 600_000);

  it('round 2 adds the pseudo-labelled eval photos to the training part only', async () => {
    const over = { model, train: { epochs: 1, batchSize: 8 }, pseudo: { enabled: true, threshold: 0.5 } };
    const cfg = await freshRun(base, over);
    const r1 = await trainFold(cfg, { round: 1, fold: 0, quiet: true, log: () => {} });
    const evalIds = (await readEvalList(cfg.data.work)).images.map((e) => e.ImageID).slice(0, 5);
    const counts = new Array<number>(18).fill(0);
    counts[3] = evalIds.length;
    await writeArtifact(pseudoLabelsArtifact, workLayout.pseudoLabel(cfg.data.work).samples, {
      enabled: true, source: 'ensemble/round1', threshold: 0.5, maxPerClass: null, considered: 20, counts,
      samples: evalIds.map((id) => ({ id, cls: 3, confidence: 0.9 })),
    });
    const r2 = await trainFold(cfg, { round: 2, fold: 0, quiet: true, log: () => {} });
    expect(r2.trainSamples).toBe(r1.trainSamples + evalIds.length);
    expect(r2.valSamples).toBe(r1.valSamples);
    const oof = await readArtifact(predictionsArtifact, join(workLayout.fold(cfg.data.work, 2, 0).dir, FOLD_FILES.oof));
    expect(oof.ids.some((id) => evalIds.includes(id) || id.startsWith('eval:'))).toBe(false);
    expect(oof.source).toBe('round2/fold-0');
  }, 600_000);
});
