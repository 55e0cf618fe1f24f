import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema, encodeClass, type PipelineConfig } from '@facemask/contracts';
import { createHeadAdapter, type HeadAdapter } from './head.ts';

const ce: PipelineConfig['loss'] = configSchema.parse({ data: { root: '.' }, loss: { name: 'cross_entropy' } }).loss;

/** -log softmax(row)[y], by hand. */
function nll(row: number[], y: number): number {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
  return lse - (row[y] as number);
}

const oneHot = (ys: number[]): tf.Tensor2D => tf.tensor2d(ys.map((y) => Array.from({ length: 18 }, (_, k) => (k === y ? 1 : 0))));

/**
 * The loss an exact-age head's adapter gives for two photos of class 1 (wear, male, 30-57) with
 * `fourth` as its fourth output (checked for leaks and for class probabilities from the first
 * three), beside the three heads' share of it, by hand.
 */
async function exactAgeLoss(head: HeadAdapter, targets: number[][], fourth: number[][]): Promise<{ got: number; threeHeads: number }> {
  const m = [[2, 0, -1], [1, 1, 0]];
  const g = [[0.3, -0.2], [0, 1]];
  const bands = [[-1, -0.5, -2], [-0.2, -0.3, -3]];
  const outputs = [tf.tensor2d(m), tf.tensor2d(g), tf.tensor2d(bands), tf.tensor2d(fourth)];
  const y = tf.tensor2d(targets);
  const before = tf.memory().numTensors;
  const loss = head.loss(outputs, y);
  const got = (await loss.data())[0] as number;
  loss.dispose();
  expect(tf.memory().numTensors).toBe(before);
  const p = head.probs(outputs);
  expect(p.shape).toEqual([2, 18]);
  tf.dispose([...outputs, y, p]);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { got, threeHeads: mean(m.map((r) => nll(r, 0))) + mean(g.map((r) => nll(r, 0))) + mean(bands.map((r) => nll(r, 1))) };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('createHeadAdapter', () => {
  // Three photos worn correctly, one worn incorrectly; all male, under 30.
  const classes = [0, 0, 0, encodeClass(1, 0, 0)];
  const mask = [[2, 0, -1], [1, 1, 0], [0, 2, 1], [1.5, 0.5, 0]];
  const gender = [[0.3, -0.2], [0, 1], [1, 0], [0.5, 0.5]];
  const age = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.2, 0.1, 0]];
  const maskOf = [0, 0, 0, 1];
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

  async function multiLoss(weightedBy: number[] | null): Promise<number> {
    const head = createHeadAdapter('multi', ce, weightedBy);
    const outputs = [tf.tensor2d(mask), tf.tensor2d(gender), tf.tensor2d(age)];
    const targets = oneHot(classes);
    const loss = head.loss(outputs, targets);
    const v = (await loss.data())[0] as number;
    tf.dispose([...outputs, targets, loss]);
    return v;
  }

  it('sums the three heads\' cross-entropies, unweighted by default', async () => {
    const expected = mean(mask.map((r, i) => nll(r, maskOf[i]!))) + mean(gender.map((r) => nll(r, 0))) + mean(age.map((r) => nll(r, 0)));
    expect(await multiLoss(null)).toBeCloseTo(expected, 5);
  });

  it('weighs each head by its own marginal class frequency when class-weighted', async () => {
    // Mask counts 3 and 1: inverse frequencies 1/3 and 1, normalised to mean 1 -> 0.5 and 1.5.
    const w = [0.5, 1.5];
    const maskTerm = mask.reduce((s, r, i) => s + w[maskOf[i]!]! * nll(r, maskOf[i]!), 0) / (3 * w[0]! + w[1]!);
    const expected = maskTerm + mean(gender.map((r) => nll(r, 0))) + mean(age.map((r) => nll(r, 0)));
    const got = await multiLoss(classes);
    expect(got).toBeCloseTo(expected, 5);
    expect(got).not.toBeCloseTo(await multiLoss(null), 3);
  });

  it('weighs the 18 classes of the single head', async () => {
    const logits = [[...Array(18).keys()].map((k) => Math.sin(k)), [...Array(18).keys()].map((k) => Math.cos(k))];
    const ys = [0, encodeClass(2, 1, 2)];
    const run = async (weightedBy: number[] | null): Promise<number> => {
      const head = createHeadAdapter('single', ce, weightedBy);
      const out = [tf.tensor2d(logits)];
      const targets = oneHot(ys);
      const loss = head.loss(out, targets);
      const v = (await loss.data())[0] as number;
      tf.dispose([...out, targets, loss]);
      return v;
    };
    // Weights from three rows of class 0 and one of the other: 0.5 and 1.5, as above.
    const expected = (0.5 * nll(logits[0]!, ys[0]!) + 1.5 * nll(logits[1]!, ys[1]!)) / 2;
    expect(await run([0, 0, 0, ys[1]!])).toBeCloseTo(expected, 5);
    expect(await run(null)).toBeCloseTo((nll(logits[0]!, ys[0]!) + nll(logits[1]!, ys[1]!)) / 2, 5);
  });

  describe("the ordinal age head (model.ageHead 'ordinal')", () => {
    const spec = { kind: 'ordinal' as const, young: 30, old: 58 };
    // 26 thresholds: 20, 22, ..., 70 (30 is the 6th, 58 the 20th).
    const k = 26;
    const softplus = (x: number): number => Math.log1p(Math.exp(x));

    it('appends the thresholds the exact age reaches to the 18-class target', () => {
      const head = createHeadAdapter('multi', ce, null, spec);
      expect(head.targetWidth).toBe(18 + k);
      const target = Array.from({ length: 18 }, (_, c) => (c === 1 ? 1 : 0));
      const t = head.trainTarget({ cls: 1, target, age: 31 });
      expect(t.slice(0, 18)).toEqual(target);
      // 31 reaches 20..30 (six thresholds), not 32 and above.
      expect(t.slice(18)).toEqual([1, 1, 1, 1, 1, 1, ...Array<number>(20).fill(0)]);
      // A pseudo-label (no age) of band 30-57: 20..30 reached, 58..70 not, 32..56 undecided.
      expect(head.trainTarget({ cls: 1, target, age: null }).slice(18)).toEqual([1, 1, 1, 1, 1, 1, ...Array<number>(13).fill(0.5), ...Array<number>(7).fill(0)]);
    });

    it('adds the thresholds\' mean binary cross-entropy to the three heads\' losses (hand-computed)', async () => {
      const head = createHeadAdapter('multi', ce, null, spec);
      // Two photos of class 1 (wear, male, 30-57), aged 31 and 45; every threshold logit is 0.5 for
      // the first and -1 for the second.
      const targets = [31, 45].map((a) => head.trainTarget({ cls: 1, target: Array.from({ length: 18 }, (_, c) => (c === 1 ? 1 : 0)), age: a }));
      const { got, threeHeads } = await exactAgeLoss(head, targets, [Array<number>(k).fill(0.5), Array<number>(k).fill(-1)]);
      // Age 31 reaches 6 thresholds, 45 reaches 13 (20..44): BCE = y softplus(-l) + (1-y) softplus(l).
      const bce = (l: number, reached: number) => (reached * softplus(-l) + (k - reached) * softplus(l)) / k;
      expect(got).toBeCloseTo(threeHeads + (bce(0.5, 6) + bce(-1, 13)) / 2, 5);
    });

    it('needs the fourth output and head multi', () => {
      const head = createHeadAdapter('multi', ce, null, spec);
      const three = [tf.zeros([1, 3]), tf.zeros([1, 2]), tf.zeros([1, 3])];
      const y = tf.zeros([1, 18 + k]) as tf.Tensor2D;
      expect(() => head.loss(three, y)).toThrow(/four outputs/);
      tf.dispose([...three, y]);
      expect(() => createHeadAdapter('single', ce, null, spec)).toThrow(/set model.head to 'multi'/);
    });
  });
  describe("the label-distribution age head (model.ageHead 'distribution')", () => {
    const spec = { kind: 'distribution' as const, young: 30, old: 58, sigma: 2 };
    const bins = 101;
    const target = Array.from({ length: 18 }, (_, c) => (c === 1 ? 1 : 0));

    it('appends the normal distribution around the exact age, or a band spread evenly, to the 18-class target', () => {
      const head = createHeadAdapter('multi', ce, null, spec);
      expect(head.targetWidth).toBe(18 + bins);
      const t = head.trainTarget({ cls: 1, target, age: 31 });
      expect(t.slice(0, 18)).toEqual(target);
      // sigma 2 around 31: weight 1 at 31, e^-1/8 at 30 and 32, e^-1/2 at 29 and 33.
      const d = t.slice(18);
      expect(d.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
      expect(d[30]! / d[31]!).toBeCloseTo(Math.exp(-1 / 8), 10);
      expect(d[33]! / d[31]!).toBeCloseTo(Math.exp(-1 / 2), 10);
      // A pseudo-label (no age) of band 30-57: 1/28 on each of its years.
      const p = head.trainTarget({ cls: 1, target, age: null }).slice(18);
      expect(p[30]).toBe(1 / 28);
      expect(p[57]).toBe(1 / 28);
      expect(p[58]).toBe(0);
      expect(() => createHeadAdapter('multi', ce, null, { kind: 'distribution', young: 30, old: 58 })).toThrow(/model.ageSigma/);
    });

    it("adds the distribution's KL divergence to the three heads' losses (hand-computed)", async () => {
      const head = createHeadAdapter('multi', ce, null, spec);
      // Two photos of class 1 aged 31 and 45; the distribution's logits are 0 everywhere (a
      // uniform 1/101) for the first and ln 2 at age 45 for the second.
      const targets = [31, 45].map((a) => head.trainTarget({ cls: 1, target, age: a }));
      const second = Array<number>(bins).fill(0);
      second[45] = Math.LN2;
      const { got, threeHeads } = await exactAgeLoss(head, targets, [Array<number>(bins).fill(0), second]);
      // KL(t || q) = sum t log t - sum t log q, by hand from the targets themselves.
      const kl = (t: number[], q: number[]) => t.reduce((s, v, j) => (v > 0 ? s + v * Math.log(v / q[j]!) : s), 0);
      const uniform = Array<number>(bins).fill(1 / bins);
      const q2 = second.map((l) => Math.exp(l) / (bins + 1));
      expect(got).toBeCloseTo(threeHeads + (kl(targets[0]!.slice(18), uniform) + kl(targets[1]!.slice(18), q2)) / 2, 5);
    });

    it('needs the fourth output', () => {
      const head = createHeadAdapter('multi', ce, null, spec);
      const three = [tf.zeros([1, 3]), tf.zeros([1, 2]), tf.zeros([1, 3])];
      const yy = tf.zeros([1, 18 + bins]) as tf.Tensor2D;
      expect(() => head.loss(three, yy)).toThrow(/distribution age head trains on four outputs/);
      tf.dispose([...three, yy]);
    });
  });
});
