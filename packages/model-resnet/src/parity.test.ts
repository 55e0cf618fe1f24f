import { resolve } from 'node:path';
import { readSafetensors, tensorF32 } from '@facemask/engine';
import { checkTolerance, referenceCases, referenceDir } from '@facemask/contracts/reference';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from './registry.ts';
import { featureTaps } from './taps.ts';
import { loadTorchSafetensors } from './torch-weights.ts';
import { ENGINE, useBackend, type BackendName } from './test-utils/backend.ts';

/** Every 'resnet' case of the fixture manifest, on both backends, in eval mode. */

const cases = referenceCases('resnet');

interface ResnetParams {
  arch: string;
  num_classes: number;
  io_tensors: Record<string, number[]>;
}

it('the manifest has resnet cases', () => {
  expect(cases.length).toBeGreaterThan(0);
});

describe.each(['cpu', ENGINE] as BackendName[])('torchvision parity on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const p = c.params as unknown as ResnetParams;
    const dir = referenceDir();
    const weightsFile = resolve(dir, c.files.weights as string);
    const io = await readSafetensors(resolve(dir, c.files.io as string));
    const [, , h, w] = p.io_tensors.input as [number, number, number, number];
    const before = tf.memory().numTensors;

    const model = await createModel(p.arch, { inputHeight: h, inputWidth: w, numClasses: p.num_classes });
    const report = await loadTorchSafetensors(model, weightsFile);
    expect(report.skipped).toEqual([]);

    const taps = Object.keys(c.tolerances);
    expect(taps.length).toBeGreaterThan(0);
    const tapModel = featureTaps(model, taps);
    const inputInfo = io.tensors.get(c.select?.tensor_names?.input ?? 'input');
    if (!inputInfo) throw new Error(`${c.id}: io file has no input tensor`);
    const x = tf.tidy(() => tf.transpose(tf.tensor(tensorF32(inputInfo), inputInfo.shape), [0, 2, 3, 1]));
    const outs = [tapModel.predict(x)].flat() as tf.Tensor[];

    for (const [i, tap] of taps.entries()) {
      const ref = io.tensors.get(c.select?.tensor_names?.[tap] ?? tap);
      if (!ref) throw new Error(`${c.id}: io file has no tensor ${tap}`);
      const ours = tf.tidy(() => {
        const o = outs[i] as tf.Tensor;
        return o.rank === 4 ? tf.transpose(o, [0, 3, 1, 2]) : tf.clone(o);
      });
      expect(ours.shape, tap).toEqual(ref.shape);
      const res = checkTolerance(await ours.data(), tensorF32(ref), c.tolerances[tap] as Record<string, unknown>);
      ours.dispose();
      expect(res.ok, `${c.id} ${tap} on ${backend}: ${res.message}`).toBe(true);
    }

    tf.dispose([x, ...outs]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
