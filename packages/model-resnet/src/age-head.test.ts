import * as tf from '@tensorflow/tfjs-core';
import { model as tfModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGE_SCORE, AGE_THRESHOLDS, bandOrdinalTargets, ordinalBandLogProbs, ordinalTargets, ordinalThresholds } from './age-head.ts';
import { classProbs } from './heads.ts';
import { createModel } from './registry.ts';
import { useBackend } from './test-utils/backend.ts';
import { expectSameAfterSaveLoad } from './test-utils/round-trip.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('ordinal thresholds and targets', () => {
  it('every second year from 20 to 70 plus the band thresholds', () => {
    expect(ordinalThresholds(30, 58)).toEqual([20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40, 42, 44, 46, 48, 50, 52, 54, 56, 58, 60, 62, 64, 66, 68, 70]);
    const odd = ordinalThresholds(29, 59);
    expect(odd.length).toBe(28);
    expect(odd.slice(4, 8)).toEqual([28, 29, 30, 32]);
    expect(odd.slice(19, 23)).toEqual([56, 58, 59, 60]);
    expect(() => ordinalThresholds(60, 30)).toThrow(/young < old/);
  });

  it('an age reaches every threshold at or below it', () => {
    expect(ordinalTargets(30, [20, 30, 32])).toEqual([1, 1, 0]);
    expect(ordinalTargets(29, [20, 30, 32])).toEqual([1, 0, 0]);
    expect(ordinalTargets(18, [20, 30])).toEqual([0, 0]);
  });

  it('a band alone decides the thresholds outside it and leaves those inside at 1/2', () => {
    const ts = [20, 30, 40, 58, 60];
    expect(bandOrdinalTargets(0, ts, 30, 58)).toEqual([0.5, 0, 0, 0, 0]);
    expect(bandOrdinalTargets(1, ts, 30, 58)).toEqual([1, 1, 0.5, 0, 0]);
    expect(bandOrdinalTargets(2, ts, 30, 58)).toEqual([1, 1, 1, 1, 0.5]);
  });
});

describe('ordinalBandLogProbs', () => {
  it('reads the three bands off the young and the old threshold (hand-computed)', () => {
    // Row 1: l(30) = 0, l(58) = -2: p(<30) = 1 - s(0) = 0.5, p(58+) = s(-2) = 0.119203,
    // p(30-57) = 0.5 - 0.119203 = 0.380797. Row 2: l(30) = 3, l(58) = 1: 0.047426, 0.731059,
    // and 0.952574 - 0.731059 = 0.221515. The other columns are thresholds the bands ignore.
    const logits = tf.tensor2d([
      [5, 0, 4, -2],
      [-9, 3, 9, 1],
    ]);
    const before = tf.memory().numTensors;
    const out = ordinalBandLogProbs(logits, 1, 3);
    const p = Array.from(out.dataSync(), Math.exp);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    [0.5, 0.380797, 0.119203, 0.047426, 0.221515, 0.731059].forEach((want, i) => expect(p[i]).toBeCloseTo(want, 5));
    logits.dispose();
  });

  it('stays finite in the tails and floors a middle band the biases would make negative', () => {
    const logits = tf.tensor2d([
      [60, -60],
      [-1, 1],
    ]);
    const out = ordinalBandLogProbs(logits, 0, 1);
    const v = Array.from(out.dataSync());
    tf.dispose([logits, out]);
    expect(v.every(Number.isFinite)).toBe(true);
    // log(1 - s(60)) = -60, log s(-60) = -60, the middle ~ log 1 = 0.
    expect(v[0]).toBeCloseTo(-60, 3);
    expect(v[1]).toBeCloseTo(0, 5);
    expect(v[2]).toBeCloseTo(-60, 3);
    // s(-1) - s(1) < 0: floored at 1e-7.
    expect(v[4]).toBeCloseTo(Math.log(1e-7), 3);
  });
});

describe("model.ageHead 'ordinal'", () => {
  async function tiny(): Promise<LayersModel> {
    return createModel('resnet18', { inputHeight: 32, inputWidth: 32, widthMultiplier: 0.125, head: 'multi', ageHead: 'ordinal', ageBands: { young: 30, old: 58 }, seed: 3 });
  }

  it('ends in the three multi-head outputs, the age one being the bands read off the thresholds', async () => {
    const model = await tiny();
    expect(model.outputs.map((o) => o.shape)).toEqual([
      [null, 3],
      [null, 2],
      [null, 3],
    ]);
    const k = ordinalThresholds(30, 58).length;
    expect(model.getLayer(AGE_THRESHOLDS).outputShape).toEqual([null, k]);
    // Biases start descending (P(age >= t) falls with t); the score has one weight per feature and no bias.
    const bias = Array.from(model.getLayer(AGE_THRESHOLDS).getWeights()[0]!.dataSync());
    expect(bias[0]).toBeCloseTo(1, 6);
    expect(bias[k - 1]).toBeCloseTo(-1, 6);
    expect(model.getLayer(AGE_SCORE).getWeights().length).toBe(1);
    // The band probabilities from the score by hand: s = score, p(<30) = 1 - s(s + b30) ...
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 5);
    const before = tf.memory().numTensors;
    const view = tfModel({ inputs: model.inputs, outputs: model.getLayer(AGE_SCORE).output as SymbolicTensor });
    const [bands, score] = tf.tidy(() => {
      const outs = model.predict(x) as tf.Tensor[];
      const probs = classProbs('multi', outs);
      const ageP = tf.sum(tf.reshape(probs, [2, 6, 3]), 1);
      return [Array.from(ageP.dataSync()), Array.from((view.predict(x) as tf.Tensor).dataSync())];
    }) as [number[], number[]];
    expect(tf.memory().numTensors).toBe(before);
    const b30 = bias[5]!;
    const b58 = bias[19]!;
    score.forEach((s, n) => {
      const pYoung = 1 - sigmoid(s + b30);
      const pOld = sigmoid(s + b58);
      expect(bands[n * 3]).toBeCloseTo(pYoung, 5);
      expect(bands[n * 3 + 1]).toBeCloseTo(1 - pYoung - pOld, 5);
      expect(bands[n * 3 + 2]).toBeCloseTo(pOld, 5);
    });
    x.dispose();
    model.dispose();
  });

  it('saves and loads with its layers (an exported model predicts the same)', async () => {
    await expectSameAfterSaveLoad(await tiny());
  });

  it("needs head 'multi'", async () => {
    await expect(createModel('resnet18', { inputHeight: 32, inputWidth: 32, widthMultiplier: 0.125, head: 'single', ageHead: 'ordinal' })).rejects.toThrow(/set model.head to 'multi'/);
  });
});
