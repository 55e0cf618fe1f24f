import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { scaledError, seededData, useWasmBesideCpu, valuesOn } from './parity.ts';

const H = 20;
const W = 18;
const BATCH = 6;
const CLASSES = 18;

/** conv(explicit pad + valid) → bn → relu → maxpool 3x3/2 → residual block → 1x1/2 conv → gap → dense. */
function smallResNet(seed: number): tfl.LayersModel {
  let s = seed;
  const init = () => tfl.initializers.heNormal({ seed: s++ });
  const conv = (filters: number, kernelSize: number, strides = 1, padding: 'same' | 'valid' = 'same') =>
    tfl.layers.conv2d({ filters, kernelSize, strides, padding, useBias: false, kernelInitializer: init() });
  const input = tfl.input({ shape: [H, W, 3] });
  let x = tfl.layers.zeroPadding2d({ padding: 3 }).apply(input) as tfl.SymbolicTensor;
  x = conv(8, 7, 2, 'valid').apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as tfl.SymbolicTensor;
  let y = conv(8, 3).apply(x) as tfl.SymbolicTensor;
  y = tfl.layers.batchNormalization().apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.reLU().apply(y) as tfl.SymbolicTensor;
  y = conv(8, 3).apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.batchNormalization().apply(y) as tfl.SymbolicTensor;
  x = tfl.layers.reLU().apply(tfl.layers.add().apply([x, y]) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
  x = conv(16, 1, 2, 'valid').apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: CLASSES, kernelInitializer: tfl.initializers.glorotUniform({ seed: s }) }).apply(x);
  return tfl.model({ inputs: input, outputs: out as tfl.SymbolicTensor });
}

const images = seededData(BATCH * H * W * 3, 11);
const labels = Array.from({ length: BATCH }, (_, i) => (i * 5) % CLASSES);

function loss(model: tfl.LayersModel): tf.Scalar {
  const logits = model.apply(tf.tensor4d(images, [BATCH, H, W, 3]), { training: true }) as tf.Tensor;
  return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES), logits) as tf.Scalar;
}

describe('training a small ResNet on wasm', () => {
  beforeAll(useWasmBesideCpu);

  it('gives the same gradients for every variable as the cpu backend', () => {
    const model = smallResNet(1);
    const grads = () => {
      const { value, grads } = tf.variableGrads(() => loss(model));
      return [value, ...model.trainableWeights.map((w) => grads[w.originalName]!)];
    };
    const onWasm = valuesOn('wasm', grads);
    const onCpu = valuesOn('cpu', grads);
    expect(onWasm.length).toBe(model.trainableWeights.length + 1);
    for (let i = 0; i < onWasm.length; i++) {
      const name = i === 0 ? 'loss' : model.trainableWeights[i - 1]!.name;
      expect(scaledError(onWasm[i]!, onCpu[i]!), name).toBeLessThan(2e-4);
    }
    model.dispose();
  });

  it('lowers the loss over 10 steps with a flat tensor count', () => {
    expect(tf.getBackend()).toBe('wasm');
    const model = smallResNet(2);
    const optimizer = tf.train.adam(0.01);
    const losses: number[] = [];
    const counts: number[] = [];
    for (let step = 0; step < 10; step++) {
      const value = optimizer.minimize(() => loss(model), true)!;
      losses.push(value.dataSync()[0]!);
      value.dispose();
      counts.push(tf.memory().numTensors);
    }
    // Adam creates its moment slots on the first step; from then on nothing may accumulate.
    expect(new Set(counts.slice(1)).size, counts.join(',')).toBe(1);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[9]!, losses.join(',')).toBeLessThan(losses[0]! * 0.7);
    optimizer.dispose();
    model.dispose();
  });
});
