import * as tf from '@tensorflow/tfjs-core';
import { layers, input as tfInput, model as tfModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { TorchBatchNorm } from './custom-layers.ts';
import { resnetStageOf } from './resnet.ts';
import { createModel, setTrainableStages } from './registry.ts';
import { useBackend } from './test-utils/backend.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

const SIZE = { inputHeight: 32, inputWidth: 32 };

function snapshot(model: LayersModel): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const layer of model.layers) {
    layer.weights.forEach((w, i) => out.set(`${layer.name}#${i}`, w.read().dataSync().slice() as Float32Array));
  }
  return out;
}

function changed(a: Float32Array | undefined, b: Float32Array | undefined): boolean {
  if (!a || !b) throw new Error('missing weight');
  return a.some((v, i) => v !== b[i]);
}

/** One SGD step in training mode on all trainable weights. */
function trainStep(model: LayersModel, x: tf.Tensor, lr = 0.1): void {
  const opt = tf.train.sgd(lr);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const loss = opt.minimize(
    () => {
      const y = model.apply(x, { training: true }) as tf.Tensor;
      return tf.mean(tf.square(tf.sub(y, 1))) as tf.Scalar;
    },
    true,
    vars,
  );
  loss?.dispose();
  opt.dispose();
}

describe('trainableStages', () => {
  it.each([
    [-1, [0, 1, 2, 3, 4]],
    [0, []],
    [1, [4]],
    [2, [3, 4]],
    [4, [1, 2, 3, 4]],
    [5, [0, 1, 2, 3, 4]],
  ])('trainableStages %i trains stages %j and the head', async (k, stages) => {
    const m = await createModel('resnet18', { ...SIZE, trainableStages: k });
    const trainableLayers = new Set(m.trainableWeights.map((w) => w.originalName.split('/')[0]));
    const withWeights = m.layers.filter((l) => l.weights.length > 0);
    for (const layer of withWeights) {
      const stage = resnetStageOf(layer.name);
      const want = stage === 'head' || (stages as number[]).includes(stage as number);
      expect(trainableLayers.has(layer.name), layer.name).toBe(want);
    }
    m.dispose();
  });

  it('a training step leaves frozen stages (BN statistics included) untouched and moves the rest', async () => {
    const m = await createModel('resnet18', { ...SIZE, trainableStages: 1, seed: 5 });
    const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 11);
    const before = snapshot(m);
    const tensorsBefore = tf.memory().numTensors;
    trainStep(m, x);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const after = snapshot(m);
    // Frozen: stem and layer1..3 - conv kernels, BN gamma/beta and running mean/var.
    for (const name of ['conv1', 'bn1', 'layer1.0.bn1', 'layer2.0.downsample.1', 'layer3.1.bn2', 'layer3.1.conv2']) {
      const n = m.getLayer(name).weights.length;
      for (let i = 0; i < n; i++) expect(changed(before.get(`${name}#${i}`), after.get(`${name}#${i}`)), `${name}#${i}`).toBe(false);
    }
    // Trainable: layer4 BN moves gamma, beta and both running statistics; the head moves.
    for (let i = 0; i < 4; i++) expect(changed(before.get(`layer4.1.bn2#${i}`), after.get(`layer4.1.bn2#${i}`)), `layer4.1.bn2#${i}`).toBe(true);
    expect(changed(before.get('layer4.0.conv1#0'), after.get('layer4.0.conv1#0'))).toBe(true);
    expect(changed(before.get('fc#0'), after.get('fc#0'))).toBe(true);
    x.dispose();
    m.dispose();
  });

  it('setTrainableStages unfreezes a model later (by its registry name)', async () => {
    const m = await createModel('resnet18', { ...SIZE, trainableStages: 0 });
    const headOnly = m.trainableWeights.length;
    expect(headOnly).toBe(2);
    setTrainableStages(m, -1);
    expect(m.trainableWeights.length).toBe(m.weights.filter((w) => !/moving_(mean|variance)/.test(w.originalName)).length);
    expect(() => setTrainableStages(m, -2)).toThrow(/trainableStages/);
    m.dispose();
  });
});

describe('TorchBatchNorm', () => {
  function bnModel(): { model: LayersModel; layer: TorchBatchNorm } {
    const x = tfInput({ shape: [2, 2, 3] });
    const layer = new TorchBatchNorm({ name: 'bn', epsilon: 1e-5, momentum: 0.9 });
    const model = tfModel({ inputs: x, outputs: layer.apply(x) as SymbolicTensor });
    return { model, layer };
  }

  it('training mode: normalises with batch statistics and updates running stats like torch (unbiased var, momentum 0.1)', () => {
    const { model, layer } = bnModel();
    layer.setWeights([tf.tensor1d([1.5, 0.5, 2]), tf.tensor1d([0.1, -0.2, 0.3]), tf.tensor1d([0.2, 0.1, -0.1]), tf.tensor1d([1.2, 0.8, 1.1])]);
    const data = Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => Math.sin(i * 1.7) * 3 + (i % 3));
    const x = tf.tensor4d(data, [2, 2, 2, 3]);
    const y = (model.apply(x, { training: true }) as tf.Tensor).dataSync();
    const [, , mm, mv] = layer.getWeights().map((t) => t.dataSync());
    for (let c = 0; c < 3; c++) {
      const vals = data.filter((_, i) => i % 3 === c);
      const n = vals.length;
      const mean = vals.reduce((a, b) => a + b, 0) / n;
      const biased = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
      const gamma = [1.5, 0.5, 2][c] as number;
      const beta = [0.1, -0.2, 0.3][c] as number;
      expect(y[c]).toBeCloseTo(((vals[0] as number) - mean) / Math.sqrt(biased + 1e-5) * gamma + beta, 4);
      expect(mm?.[c]).toBeCloseTo(0.9 * ([0.2, 0.1, -0.1][c] as number) + 0.1 * mean, 5);
      expect(mv?.[c]).toBeCloseTo(0.9 * ([1.2, 0.8, 1.1][c] as number) + 0.1 * biased * (n / (n - 1)), 5);
    }
    model.dispose();
  });

  it('frozen (trainable = false): training mode equals eval mode and the statistics stay', () => {
    const { model, layer } = bnModel();
    layer.setWeights([tf.tensor1d([1.5, 0.5, 2]), tf.tensor1d([0.1, -0.2, 0.3]), tf.tensor1d([0.2, 0.1, -0.1]), tf.tensor1d([1.2, 0.8, 1.1])]);
    layer.trainable = false;
    const x = tf.randomNormal([2, 2, 2, 3], 0, 2, 'float32', 3);
    const train = (model.apply(x, { training: true }) as tf.Tensor).dataSync();
    const evalOut = (model.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(train)).toEqual(Array.from(evalOut));
    expect(Array.from(layer.getWeights()[2]?.dataSync() ?? [])).toEqual(Array.from(new Float32Array([0.2, 0.1, -0.1])));
    expect(Array.from(layer.getWeights()[3]?.dataSync() ?? [])).toEqual(Array.from(new Float32Array([1.2, 0.8, 1.1])));
    model.dispose();
  });
});

describe('why TorchBatchNorm: tfjs-layers BatchNormalization', () => {
  it('keeps updating its moving statistics in training mode even with trainable = false', () => {
    const x = tfInput({ shape: [2, 2, 3] });
    const bn = layers.batchNormalization({ name: 'stock_bn' });
    const model = tfModel({ inputs: x, outputs: bn.apply(x) as SymbolicTensor });
    bn.trainable = false;
    const before = bn.getWeights()[2]?.dataSync().slice();
    model.apply(tf.randomNormal([2, 2, 2, 3], 5, 1, 'float32', 1), { training: true });
    expect(changed(before as Float32Array, bn.getWeights()[2]?.dataSync() as Float32Array)).toBe(true);
    model.dispose();
  });
});
