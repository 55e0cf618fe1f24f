import * as tf from '@tensorflow/tfjs-core';
import { model as tfModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGE_BINS, AGE_DISTRIBUTION, bandDistributionTargets, distributionBandLogProbs, distributionTargets } from './age-distribution.ts';
import { ageTrainingChain, classProbs } from './heads.ts';
import { createModel } from './registry.ts';
import { useBackend } from './test-utils/backend.ts';
import { expectSameAfterSaveLoad } from './test-utils/round-trip.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('distribution targets', () => {
  it('a normal density around the exact age over the years 0 to 100, summing to 1 (hand-computed)', () => {
    // sigma 1 around 30: weights e^0 = 1 at 30, e^-1/2 = 0.606531 at 29 and 31, e^-2 = 0.135335
    // at 28 and 32, e^-4.5 = 0.011109 at 27 and 33; the total over all years is 2.506628 (sqrt(2 pi)
    // to six places, the tails past 3 sigma included).
    const t = distributionTargets(30, 1);
    expect(t.length).toBe(AGE_BINS);
    expect(t.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(t[30]).toBeCloseTo(1 / 2.506628, 6);
    expect(t[29]).toBeCloseTo(0.606531 / 2.506628, 6);
    expect(t[32]).toBeCloseTo(0.135335 / 2.506628, 6);
    expect(t[33]).toBeCloseTo(0.011109 / 2.506628, 6);
    expect(t[29]).toBe(t[31]);
  });

  it('clips ages past 100 to the last year and normalises what is left at the edge', () => {
    // sigma 1 at 100: only 100 and below exist, so the weights are 1, e^-1/2, e^-2, ... on one side.
    const t = distributionTargets(116, 1);
    const one = [1, 0.606531, 0.135335, 0.011109, 0.000335];
    const sum = one.reduce((s, v) => s + v, 0);
    expect(t[100]).toBeCloseTo(1 / sum, 5);
    expect(t[99]).toBeCloseTo(0.606531 / sum, 5);
    expect(() => distributionTargets(-1, 4)).toThrow(/age must be/);
    expect(() => distributionTargets(30, 0)).toThrow(/model.ageSigma must be > 0/);
  });

  it('a band alone spreads evenly over its years', () => {
    const t = bandDistributionTargets(1, 30, 58);
    expect(t.slice(30, 58).every((v) => v === 1 / 28)).toBe(true);
    expect(t[29]).toBe(0);
    expect(t[58]).toBe(0);
    expect(bandDistributionTargets(0, 30, 58)[0]).toBe(1 / 30);
    expect(bandDistributionTargets(2, 30, 58)[100]).toBe(1 / 43);
    expect(() => bandDistributionTargets(0, 58, 30)).toThrow(/young < old/);
  });
});

describe('distributionBandLogProbs', () => {
  it("sums the softmax's mass below 30, from 30 to 57 and from 58 on (hand-computed)", () => {
    // Logits 0 everywhere but ln 2 at age 29 and ln 3 at age 58: exp sums 30 + 1 (age 29's 2
    // instead of 1) = 31 below 30, 28 from 30 to 57, 43 + 2 = 45 from 58 on; total 104.
    const row = Array<number>(AGE_BINS).fill(0);
    row[29] = Math.LN2;
    row[58] = Math.log(3);
    const logits = tf.tensor2d([row, Array<number>(AGE_BINS).fill(5)]);
    const before = tf.memory().numTensors;
    const out = distributionBandLogProbs(logits, 30, 58);
    const p = Array.from(out.dataSync(), Math.exp);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    [31 / 104, 28 / 104, 45 / 104, 30 / 101, 28 / 101, 43 / 101].forEach((want, i) => expect(p[i]).toBeCloseTo(want, 5));
    logits.dispose();
  });

  it('stays finite when one band holds all the mass', () => {
    const row = Array<number>(AGE_BINS).fill(-200);
    row[10] = 200;
    const logits = tf.tensor2d([row]);
    const out = distributionBandLogProbs(logits, 30, 58);
    const v = Array.from(out.dataSync());
    tf.dispose([logits, out]);
    expect(v.every(Number.isFinite)).toBe(true);
    expect(v[0]).toBeCloseTo(0, 5);
    // log(28 e^-200 / e^200) = ln 28 - 400.
    expect(v[1]).toBeCloseTo(Math.log(28) - 400, 3);
  });
});

describe("model.ageHead 'distribution'", () => {
  async function tiny(): Promise<LayersModel> {
    return createModel('resnet18', { inputHeight: 32, inputWidth: 32, widthMultiplier: 0.125, head: 'multi', ageHead: 'distribution', ageBands: { young: 30, old: 58 }, seed: 3 });
  }

  it('ends in the three multi-head outputs, the age one being the bands summed from the distribution', async () => {
    const model = await tiny();
    expect(model.outputs.map((o) => o.shape)).toEqual([
      [null, 3],
      [null, 2],
      [null, 3],
    ]);
    expect(ageTrainingChain(model)).toEqual([AGE_DISTRIBUTION]);
    expect(model.getLayer(AGE_DISTRIBUTION).outputShape).toEqual([null, AGE_BINS]);
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 5);
    const before = tf.memory().numTensors;
    const view = tfModel({ inputs: model.inputs, outputs: model.getLayer(AGE_DISTRIBUTION).getOutputAt(0) as SymbolicTensor });
    const [bands, dist] = tf.tidy(() => {
      const probs = classProbs('multi', model.predict(x) as tf.Tensor[]);
      const ageP = tf.sum(tf.reshape(probs, [2, 6, 3]), 1);
      return [Array.from(ageP.dataSync()), Array.from(tf.softmax(view.predict(x) as tf.Tensor).dataSync())];
    }) as [number[], number[]];
    expect(tf.memory().numTensors).toBe(before);
    [0, 1].forEach((n) => {
      const p = dist.slice(n * AGE_BINS, (n + 1) * AGE_BINS);
      const sum = (a: number, b: number) => p.slice(a, b).reduce((s, v) => s + v, 0);
      expect(bands[n * 3]).toBeCloseTo(sum(0, 30), 5);
      expect(bands[n * 3 + 1]).toBeCloseTo(sum(30, 58), 5);
      expect(bands[n * 3 + 2]).toBeCloseTo(sum(58, AGE_BINS), 5);
    });
    x.dispose();
    model.dispose();
  });

  it('saves and loads with its layers (an exported model predicts the same)', async () => {
    await expectSameAfterSaveLoad(await tiny());
  });

  it("needs head 'multi'", async () => {
    await expect(createModel('resnet18', { inputHeight: 32, inputWidth: 32, widthMultiplier: 0.125, head: 'single', ageHead: 'distribution' })).rejects.toThrow(/set model.head to 'multi'/);
  });
});
