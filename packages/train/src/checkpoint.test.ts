import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, open, readdir, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FOLD_FILES, readEpochLog, type EpochRecord } from '@facemask/contracts';
import { foldStore, PREVIOUS_CHECKPOINT, type RunState } from './checkpoint.ts';
import { createOptimizer, type TorchOptimizer } from './optim/index.ts';
import { trainableVariables } from './step.ts';
import { engineUnderTest } from '@facemask/engine';

let dir: string;
beforeAll(async () => {
  await engineUnderTest();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'checkpoint-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function net(units: number, seed: number): { model: tfl.LayersModel; optimizer: TorchOptimizer } {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units, kernelInitializer: tfl.initializers.glorotUniform({ seed }) })] });
  const optimizer = createOptimizer({ name: 'sgd', lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0, betas: [0.9, 0.999], eps: 1e-8 }, trainableVariables(model));
  return { model, optimizer };
}

/** One SGD step, so the momentum buffers hold something. */
function step(model: tfl.LayersModel, optimizer: TorchOptimizer): void {
  const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(model.apply(tf.ones([2, 4])) as tf.Tensor)) as tf.Scalar, optimizer.params);
  optimizer.step(grads);
  tf.dispose([value, ...Object.values(grads)]);
}

const record = (epoch: number): EpochRecord => ({ epoch, lr: 0.1, trainLoss: 1, valLoss: 1, accuracy: 0.5, macroF1: 0.5, perClassF1: [], imagesPerSecond: 1, seconds: 1 });
const STATE: RunState = { runKey: 'k', epoch: 0, bestMacroF1: 0.5, bestEpoch: 0 };

/** A fold folder holding epoch 1's best model, log and checkpoint of a 4 -> 3 dense net. */
async function savedFold(): Promise<{ weights: Float32Array }> {
  const { model, optimizer } = net(3, 1);
  step(model, optimizer);
  await foldStore(dir).saveEpoch({ state: STATE, history: [record(0)], model, optimizer, improved: true, fold: 0, round: 1 });
  const weights = new Float32Array(model.getWeights()[0]!.dataSync());
  model.dispose();
  optimizer.dispose();
  return { weights };
}

async function resumeWith(units: number) {
  const { model, optimizer } = net(units, 2);
  try {
    const r = await foldStore(dir).resume('k', model, optimizer);
    return { r, kernel: new Float32Array(model.getWeights()[0]!.dataSync()) };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

/** The files and folders of the fold folder, temporaries included. */
const entries = async () => (await readdir(dir)).sort();

describe('resuming a fold from its checkpoint', () => {
  it('restores an intact checkpoint', async () => {
    const { weights } = await savedFold();
    const { r, kernel } = await resumeWith(3);
    expect(r.kind).toBe('resumed');
    expect(kernel).toEqual(weights);
  });

  it('starts over from a truncated weights.bin, saying so in one line with the byte counts', async () => {
    await savedFold();
    const bin = join(dir, FOLD_FILES.last, 'model', 'weights.bin');
    const full = (await stat(bin)).size;
    await truncate(bin, 20);
    const { r } = await resumeWith(3);
    expect(r.kind).toBe('fresh');
    const reason = r.kind === 'fresh' ? r.reason : '';
    expect(reason).toBe(`the checkpoint in ${join(dir, 'last')} is truncated (model/weights.bin has 20 of ${full} bytes)`);
    // the fold starts from nothing: no checkpoint, best model or epochs left behind
    expect(await entries()).toEqual([FOLD_FILES.metrics]);
    expect(await readEpochLog(join(dir, FOLD_FILES.metrics))).toEqual([]);
    // and the next run has nothing to complain about
    expect((await resumeWith(3)).r).toEqual({ kind: 'fresh', reason: null });
  });

  it('starts over from a checkpoint of another architecture', async () => {
    await savedFold();
    const { r } = await resumeWith(5);
    expect(r.kind === 'fresh' && r.reason).toMatch(
      /^the checkpoint in .*best is from another architecture \(weight 1, .*, is \[4, 3\] there and \[4, 5\] in this model\)$/,
    );
  });

  it('starts over from an unreadable optimiser state or a truncated best model', async () => {
    await savedFold();
    await writeFile(join(dir, FOLD_FILES.last, 'optimizer.safetensors'), 'garbage');
    const a = await resumeWith(3);
    expect(a.r.kind === 'fresh' && a.r.reason).toMatch(/^the checkpoint in .*last is unreadable \(optimizer\.safetensors: .*too short to be a safetensors file\)$/);

    await savedFold();
    await truncate(join(dir, FOLD_FILES.best, 'weights.bin'), 0);
    const b = await resumeWith(3);
    expect(b.r.kind === 'fresh' && b.r.reason).toMatch(/^the checkpoint in .*best is truncated \(weights\.bin has 0 of 60 bytes\)$/);
  });

  it('finishes a checkpoint swap a kill interrupted, and resumes from the new checkpoint', async () => {
    await savedFold();
    // epoch 2's checkpoint was complete, epoch 1's moved aside, when the writer died
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const previous = await mkdtemp(join(tmpdir(), 'checkpoint-previous-'));
    await cp(join(dir, FOLD_FILES.last), previous, { recursive: true });
    const { model, optimizer } = net(3, 3);
    const next = { ...STATE, epoch: 1 };
    await foldStore(dir).saveEpoch({ state: next, history: [record(0), record(1)], model, optimizer, improved: false, fold: 0, round: 1 });
    const weights = new Float32Array(model.getWeights()[0]!.dataSync());
    model.dispose();
    optimizer.dispose();
    await rename(join(dir, FOLD_FILES.last), join(dir, `.last.${dead}.0123abcd.tmp`));
    await rename(previous, join(dir, `.last.${dead}.0123abcd.old`));
    await writeFile(join(dir, `.metrics.jsonl.${dead}.89abcdef.tmp`), 'half a li');

    const { r, kernel } = await resumeWith(3);
    expect(r.kind === 'resumed' ? r.state : r.reason).toEqual(next);
    expect(kernel).toEqual(weights);
    expect(await entries()).toEqual([FOLD_FILES.best, FOLD_FILES.last, FOLD_FILES.metrics, PREVIOUS_CHECKPOINT]);
  });
});

/** Overwrites `count` float32 values in the middle of a file with `value`: same size, same shapes. */
async function overwrite(file: string, value: number, count = 3): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    await fh.write(new Uint8Array(new Float32Array(count).fill(value).buffer), 0, count * 4, 8);
  } finally {
    await fh.close();
  }
}

describe('a checkpoint changed on disk since it was saved', () => {
  /** Epoch 1's checkpoint in last/, epoch 0's in previous/; the kernels of both. */
  async function twoEpochs(): Promise<{ epoch0: Float32Array; epoch1: Float32Array }> {
    const { weights: epoch0 } = await savedFold();
    const { model, optimizer } = net(3, 1);
    step(model, optimizer);
    step(model, optimizer);
    await foldStore(dir).saveEpoch({ state: { ...STATE, epoch: 1 }, history: [record(0), record(1)], model, optimizer, improved: false, fold: 0, round: 1 });
    const epoch1 = new Float32Array(model.getWeights()[0]!.dataSync());
    model.dispose();
    optimizer.dispose();
    return { epoch0, epoch1 };
  }

  it('is not resumed (finite values, same size): the previous checkpoint that verifies is, and the bad one is deleted', async () => {
    const { epoch0, epoch1 } = await twoEpochs();
    expect(epoch1).not.toEqual(epoch0);
    await overwrite(join(dir, FOLD_FILES.last, 'model', 'weights.bin'), 0.125);
    const { r, kernel } = await resumeWith(3);
    expect(r.kind === 'resumed' && r.state).toEqual(STATE);
    expect(r.kind === 'resumed' && r.from).toBe(
      `${join(dir, PREVIOUS_CHECKPOINT)}, the one before: the checkpoint in ${join(dir, FOLD_FILES.last)} is corrupt (model/weights.bin does not have the sha256 recorded when it was saved: changed on disk since)`,
    );
    expect(kernel).toEqual(epoch0);
    expect(r.kind === 'resumed' && r.history.map((h) => h.epoch)).toEqual([0]);
    // never met again: the next run resumes from the same good checkpoint without a word
    expect(await entries()).toEqual([FOLD_FILES.best, FOLD_FILES.metrics, PREVIOUS_CHECKPOINT]);
    const again = await resumeWith(3);
    expect(again.r.kind === 'resumed' && again.r.from).toBe(join(dir, PREVIOUS_CHECKPOINT));
  });

  it('with NaN weights or a damaged optimiser state and nothing that verifies before it: the fold starts over, saying why', async () => {
    await savedFold();
    await overwrite(join(dir, FOLD_FILES.last, 'model', 'weights.bin'), NaN);
    const { r } = await resumeWith(3);
    expect(r).toEqual({
      kind: 'fresh',
      reason: `the checkpoint in ${join(dir, FOLD_FILES.last)} is corrupt (model/weights.bin does not have the sha256 recorded when it was saved: changed on disk since)`,
    });
    expect(await entries()).toEqual([FOLD_FILES.metrics]);

    await twoEpochs();
    await overwrite(join(dir, FOLD_FILES.last, 'optimizer.safetensors'), 1, 1);
    await overwrite(join(dir, PREVIOUS_CHECKPOINT, 'model', 'weights.bin'), 2);
    const both = await resumeWith(3);
    expect(both.r.kind === 'fresh' && both.r.reason).toMatch(
      /^the checkpoint in .*last is (corrupt|unreadable) \(optimizer\.safetensors.*; the checkpoint in .*previous is corrupt \(model\/weights\.bin does not have the sha256 recorded when it was saved: changed on disk since\)$/,
    );
    expect(await entries()).toEqual([FOLD_FILES.metrics]);
  });

  it('is gone with previous/ once the fold has finished', async () => {
    await twoEpochs();
    await foldStore(dir).complete();
    expect(await entries()).toEqual([FOLD_FILES.best, FOLD_FILES.last, FOLD_FILES.metrics]);
  });
});
