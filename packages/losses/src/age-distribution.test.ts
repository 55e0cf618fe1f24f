import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { distributionLoss } from './age-distribution.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('distributionLoss', () => {
  it('is the mean KL divergence of the targets from the softmax (hand-computed)', () => {
    // Photo 1: logits 0, 0, ln 2: softmax 1/4, 1/4, 1/2; target 0, 1/2, 1/2:
    // KL = 1/2 ln((1/2)/(1/4)) + 1/2 ln((1/2)/(1/2)) = 1/2 ln 2 = 0.346574 (the zero target adds nothing).
    // Photo 2: logits 1, 1, 1: softmax 1/3 each; target 1, 0, 0: KL = ln 3 = 1.098612.
    const logits = tf.tensor2d([
      [0, 0, Math.LN2],
      [1, 1, 1],
    ]);
    const targets = tf.tensor2d([
      [0, 0.5, 0.5],
      [1, 0, 0],
    ]);
    const before = tf.memory().numTensors;
    const v = tf.tidy(() => distributionLoss(logits, targets).dataSync()[0]!);
    expect(v).toBeCloseTo((0.346574 + 1.098612) / 2, 5);
    // The gradient is (softmax - t) / N: photo 1 (1/4, -1/4, 0) / 2, photo 2 (-2/3, 1/3, 1/3) / 2.
    const g = tf.grad((x) => distributionLoss(x as tf.Tensor2D, targets))(logits);
    const grad = Array.from(g.dataSync());
    g.dispose();
    [0.125, -0.125, 0, -1 / 3, 1 / 6, 1 / 6].forEach((want, i) => expect(grad[i]).toBeCloseTo(want, 5));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, targets]);
  });

  it('is 0 where the head predicts the target and finite for a target far from it', () => {
    const t = [0.1, 0.2, 0.7];
    const logits = tf.tensor2d([t.map(Math.log), [-80, 0, 80]]);
    const targets = tf.tensor2d([t, [1, 0, 0]]);
    const v = tf.tidy(() => Array.from(distributionLoss(logits, targets).dataSync()))[0]!;
    // Row 2: -log softmax_0 = 160 (log-softmax, not log of an underflowed softmax).
    expect(v).toBeCloseTo((0 + 160) / 2, 3);
    tf.dispose([logits, targets]);
  });

  it('rejects logits and targets of different shapes', () => {
    const logits = tf.zeros([2, 3]) as tf.Tensor2D;
    const targets = tf.zeros([2, 4]) as tf.Tensor2D;
    expect(() => distributionLoss(logits, targets)).toThrow(/logits \[2,3\] and targets \[2,4\]/);
    tf.dispose([logits, targets]);
  });
});
