import * as tf from '@tensorflow/tfjs-core';
import { input as tfInput, model as tfModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChannelAffine, ChannelZeroPad, SeededDropout } from './custom-layers.ts';
import { useBackend } from './test-utils/backend.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

function masks(seed: number, calls: number): number[][] {
  const layer = new SeededDropout({ rate: 0.5, seed });
  const x = tf.ones([1, 64]);
  const out = Array.from({ length: calls }, () => Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync()));
  x.dispose();
  return out;
}

describe('SeededDropout', () => {
  it('draws a new mask per call, the same sequence for the same seed', () => {
    const [a1, a2] = masks(1, 2);
    const [b1, b2] = masks(1, 2);
    const [c1] = masks(2, 1);
    expect(a1).not.toEqual(a2);
    expect(a1).toEqual(b1);
    expect(a2).toEqual(b2);
    expect(a1).not.toEqual(c1);
    // Inverted dropout: kept units are scaled by 1/(1-rate).
    expect(new Set(a1)).toEqual(new Set([0, 2]));
  });

  it('is the identity outside training and keeps the mean in expectation', () => {
    const layer = new SeededDropout({ rate: 0.3, seed: 5 });
    const x = tf.ones([100, 100]);
    expect(Array.from((layer.apply(x) as tf.Tensor).dataSync()).every((v) => v === 1)).toBe(true);
    const mean = tf.mean(layer.apply(x, { training: true }) as tf.Tensor).dataSync()[0] as number;
    expect(Math.abs(mean - 1)).toBeLessThan(0.03);
    expect(() => new SeededDropout({ rate: 1, seed: 0 })).toThrow(/\[0, 1\)/);
  });
});

describe('ChannelAffine and ChannelZeroPad', () => {
  it('scale per channel, then append zero channels', () => {
    const x = tfInput({ shape: [1, 1, 2] });
    const affine = new ChannelAffine({ name: 'aff' });
    const pad = new ChannelZeroPad({ name: 'pad', channels: 4 });
    const m = tfModel({ inputs: x, outputs: pad.apply(affine.apply(x)) as SymbolicTensor });
    affine.setWeights([tf.tensor1d([2, -1]), tf.tensor1d([0.5, 0.25])]);
    const y = m.predict(tf.tensor4d([3, 4], [1, 1, 1, 2])) as tf.Tensor;
    expect(y.shape).toEqual([1, 1, 1, 4]);
    expect(Array.from(y.dataSync())).toEqual([6.5, -3.75, 0, 0]);
    expect(() => new ChannelZeroPad({ channels: 1 }).apply(x)).toThrow(/more than 1/);
    m.dispose();
  });
});
