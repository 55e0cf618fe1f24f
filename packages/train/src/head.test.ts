import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema, encodeClass, type PipelineConfig } from '@facemask/contracts';
import { createHeadAdapter } from './head.ts';

const ce: PipelineConfig['loss'] = configSchema.parse({ data: { root: '.' }, loss: { name: 'cross_entropy' } }).loss;

/** -log softmax(row)[y], by hand. */
function nll(row: number[], y: number): number {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
  return lse - (row[y] as number);
}

const oneHot = (ys: number[]): tf.Tensor2D => tf.tensor2d(ys.map((y) => Array.from({ length: 18 }, (_, k) => (k === y ? 1 : 0))));

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
});
