import { readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { readArtifact, type ConfigInput, FOLD_FILES, predictionsArtifact, readEpochLog, workLayout } from '@facemask/contracts';
import { engineUnderTest } from '@facemask/engine';
import { freshRun, preparedDataset, trainFold } from './test-utils/dataset.ts';

let base: ConfigInput;

// A small conv net from scratch at 32 px: a minute on the wasm backend.
const small: Partial<ConfigInput> = {
  model: { arch: 'resnet18', widthMultiplier: 0.25 },
  optim: { name: 'adamw', lr: 0.003, weightDecay: 1e-4 },
  scheduler: { name: 'cosine' },
  loss: { name: 'cross_entropy' },
  train: { epochs: 15, batchSize: 16 },
};

beforeAll(async () => {
  await engineUnderTest();
  ({ base } = await preparedDataset(100, 11, 32));
}, 600_000);

async function weightsOf(dir: string): Promise<Buffer> {
  return readFile(join(dir, FOLD_FILES.last, 'model', 'weights.bin'));
}

describe('runFold', () => {
  it('learns: validation macro F1 far above chance, and writes predictions for every photo', async () => {
    // the 3-head model shares what it learns of age and gender across the mask states
    const cfg = await freshRun(base, { ...small, model: { ...(small.model as object), head: 'multi' }, train: { epochs: 12, batchSize: 16 } });
    const before = tf.memory().numTensors;
    const s = await trainFold(cfg, { round: 1, fold: 0, quiet: true, log: () => {} });
    expect(tf.memory().numTensors).toBe(before);
    expect(s.complete).toBe(true);
    // chance is about 1/18 (0.056): four times that is learning, not luck
    expect(s.bestMacroF1).toBeGreaterThan(0.2);
    const dir = workLayout.fold(cfg.data.work, 1, 0).dir;
    const oof = await readArtifact(predictionsArtifact, join(dir, FOLD_FILES.oof));
    const ev = await readArtifact(predictionsArtifact, join(dir, FOLD_FILES.eval));
    expect(oof.ids).toHaveLength(s.valSamples);
    expect(ev.ids).toHaveLength(s.evalSamples);
    const log = await readEpochLog(join(dir, FOLD_FILES.metrics));
    expect(log.map((r) => r.epoch)).toEqual([...Array(12).keys()]);
    expect(log[11]!.trainLoss).toBeLessThan(log[0]!.trainLoss);
  }, 600_000);

  it('resumes after a stop with the weights and metrics of an uninterrupted run', async () => {
    // Bit-identical weights need no more than a few batches an epoch: a set of its own, a quarter
    // the size, so that the slower engines (webgpu on lavapipe in CI) run it in CI's time.
    const { base } = await preparedDataset(24, 11, 32);
    const over = { ...small, train: { epochs: 3, batchSize: 16 } };
    const straight = await freshRun(base, over);
    await trainFold(straight, { round: 1, fold: 1, quiet: true, log: () => {} });
    const stopped = await freshRun(base, over);
    const first = await trainFold(stopped, { round: 1, fold: 1, quiet: true, log: () => {}, stopAfterEpochs: 1 });
    expect(first.complete).toBe(false);
    const lines: string[] = [];
    const second = await trainFold(stopped, { round: 1, fold: 1, quiet: true, log: (l) => lines.push(l) });
    expect(second.complete).toBe(true);
    expect(lines.join('\n')).toMatch(/resuming after epoch 1\/3/);
    const a = workLayout.fold(straight.data.work, 1, 1).dir;
    const b = workLayout.fold(stopped.data.work, 1, 1).dir;
    expect((await weightsOf(b)).equals(await weightsOf(a))).toBe(true);
    const strip = (rs: Awaited<ReturnType<typeof readEpochLog>>) => rs.map(({ seconds: _s, imagesPerSecond: _i, ...r }) => r);
    expect(strip(await readEpochLog(join(b, FOLD_FILES.metrics)))).toEqual(strip(await readEpochLog(join(a, FOLD_FILES.metrics))));
    expect(await readFile(join(b, FOLD_FILES.eval), 'utf8')).toBe(await readFile(join(a, FOLD_FILES.eval), 'utf8'));

    // a truncated weights.bin beside a valid state.json: said in one line, the fold starts over
    const broken = await freshRun(base, over);
    await trainFold(broken, { round: 1, fold: 1, quiet: true, log: () => {}, stopAfterEpochs: 1 });
    const c = workLayout.fold(broken.data.work, 1, 1).dir;
    await truncate(join(c, FOLD_FILES.last, 'model', 'weights.bin'), 1000);
    const said: string[] = [];
    expect((await trainFold(broken, { round: 1, fold: 1, quiet: true, log: (l) => said.push(l) })).complete).toBe(true);
    expect(said).toContainEqual(
      expect.stringMatching(new RegExp(`^fold 1: the checkpoint in ${join(c, FOLD_FILES.last)} is truncated \\(model/weights\\.bin has 1000 of \\d+ bytes\\): starting the fold over$`)),
    );
    expect((await weightsOf(c)).equals(await weightsOf(a))).toBe(true);
  }, 600_000);

  it('stops on a non-finite loss with a clear message and keeps the last good checkpoint', async () => {
    // epoch 1 trains at lr 0.01, epoch 2 at 1e36: the weights overflow after one good epoch
    const cfg = await freshRun(base, {
      ...small,
      optim: { name: 'sgd', lr: 0.01, momentum: 0.9 },
      scheduler: { name: 'step', stepSize: 1, gamma: 1e38 },
      train: { epochs: 3, batchSize: 16 },
    });
    const err = await trainFold(cfg, { round: 1, fold: 2, quiet: true, log: () => {} }).then(
      () => null,
      (e: Error) => e,
    );
    // the gradients overflow first (their norm is caught before the weights change), or the loss
    const m = /training diverged in fold 2, epoch (\d+), batch \d+: (loss is (NaN|-?Infinity)|a gradient is (NaN|infinite) while the loss \(.+\) is finite).*last good checkpoint \(after epoch (\d+)\) is kept/.exec(
      err?.message ?? '',
    );
    expect(m, err?.message).not.toBeNull();
    const [failedEpoch, keptEpoch] = [Number(m![1]), Number(m![5])];
    expect(keptEpoch).toBe(failedEpoch - 1);
    expect(keptEpoch).toBeGreaterThanOrEqual(1);
    const dir = workLayout.fold(cfg.data.work, 1, 2).dir;
    const state = JSON.parse(await readFile(join(dir, FOLD_FILES.last, 'state.json'), 'utf8')) as { epoch: number };
    expect(state.epoch).toBe(keptEpoch - 1);
    expect((await weightsOf(dir)).length).toBeGreaterThan(0);
    await expect(readFile(join(dir, FOLD_FILES.eval))).rejects.toThrow(/ENOENT/);
  }, 600_000);
});
