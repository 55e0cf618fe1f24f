import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ordinalLoss } from './ordinal.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ordinalLoss', () => {
  it('is the mean binary cross-entropy over thresholds and photos (hand-computed)', () => {
    // Photo 1: logits 0, 2 with targets 1, 0: -log(1/2) = ln 2 = 0.693147; -log(1 - s(2)) =
    // log(1 + e^2) = 2.126928. Photo 2: logits -1, 3 with targets 1, 1: log(1 + e^1) = 1.313262,
    // log(1 + e^-3) = 0.048587. Mean of the four: 4.181924 / 4 = 1.045481.
    const logits = tf.tensor2d([
      [0, 2],
      [-1, 3],
    ]);
    const targets = tf.tensor2d([
      [1, 0],
      [1, 1],
    ]);
    const before = tf.memory().numTensors;
    const v = tf.tidy(() => ordinalLoss(logits, targets).dataSync()[0]!);
    expect(v).toBeCloseTo(1.045481, 5);
    // d/dl = (s(l) - y) / 4 per element: (0.5-1)/4, s(2)/4, (s(-1)-1)/4, (s(3)-1)/4.
    const g = tf.grad((x) => ordinalLoss(x as tf.Tensor2D, targets))(logits);
    const grad = Array.from(g.dataSync());
    g.dispose();
    [-0.125, 0.880797 / 4, (0.268941 - 1) / 4, (0.952574 - 1) / 4].forEach((want, i) => expect(grad[i]).toBeCloseTo(want, 5));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, targets]);
  });

  it('takes soft targets and stays finite far in the tails', () => {
    // Target 0.5 at logit 0: ln 2. Logit 100 with target 1: log(1 + e^-100) ~ 0; logit -100 with
    // target 1: 100 (a naive log(sigmoid) gives Infinity).
    const logits = tf.tensor2d([[0, 100, -100]]);
    const targets = tf.tensor2d([[0.5, 1, 1]]);
    const v = tf.tidy(() => ordinalLoss(logits, targets).dataSync()[0]!);
    expect(v).toBeCloseTo((Math.LN2 + 0 + 100) / 3, 4);
    tf.dispose([logits, targets]);
  });

  it('rejects logits and targets of different shapes', () => {
    const logits = tf.zeros([2, 3]) as tf.Tensor2D;
    const targets = tf.zeros([2, 4]) as tf.Tensor2D;
    expect(() => ordinalLoss(logits, targets)).toThrow(/logits \[2,3\] and targets \[2,4\]/);
    tf.dispose([logits, targets]);
  });
});
