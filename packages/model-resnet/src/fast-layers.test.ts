import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, backendsUnderTest, useBackendUnderTest } from '@facemask/engine';
import * as tf from '@tensorflow/tfjs-core';
import { input as tfInput, layers, model as tfModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormTrain, reluFastGrad, TorchBatchNorm, TorchConv2D } from './custom-layers.ts';

/**
 * The layers written for speed (custom gradients, tf.conv2d instead of the fused conv) against
 * tfjs' own autodiff of the plain formulation, on cpu and on the engine under test (wasm, or the
 * native one when TFJS_BACKEND=tensorflow selects it). On webgpu batchNormTrain runs as the
 * engine's two fused BatchNorm kernels, so there it is those that are compared.
 */

const ENGINES = backendsUnderTest();

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  const [x, y] = [a.dataSync(), b.dataSync()];
  expect(x.length).toBe(y.length);
  let d = 0;
  let m = 0;
  x.forEach((v, i) => {
    d = Math.max(d, Math.abs(v - (y[i] as number)));
    m = Math.max(m, Math.abs(y[i] as number));
  });
  return d / Math.max(m, 1e-12);
}

describe.each(ENGINES)('on %s', (engine) => {
  beforeAll(async () => {
    await useBackendUnderTest(engine);
  });

  it.each([
    [false, [3, 5, 4, 6]],
    [true, [3, 5, 4, 6]],
    [false, [2, 7, 5, 3]],
    [true, [2, 7, 5, 3]],
  ] as const)('batchNormTrain (relu %s, %j): value and all three gradients equal autodiff of moments + batchNorm', (relu, shape) => {
    const before = tf.memory().numTensors;
    const c = shape[3];
    const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal([...shape], 0, 1, 'float32', 1), 2), 0.7));
    const gamma = tf.randomUniform([c], 0.5, 1.5, 'float32', 2);
    const beta = tf.randomNormal([c], 0, 0.3, 'float32', 3);
    const dy = tf.randomNormal([...shape], 0, 1, 'float32', 4);
    const reference = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(xi, [0, 1, 2]);
      const y = tf.batchNorm(xi, mean, variance, b, g, 1e-5);
      return relu ? tf.relu(y) : y;
    };
    let stats: number[][] = [];
    const ours = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      batchNormTrain(xi, g, b, 1e-5, relu, (m, v) => {
        stats = [Array.from(m.dataSync()), Array.from(v.dataSync())];
      });
    const loss = (f: typeof reference) => (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(xi, g, b), dy));
    const want = tf.grads(loss(reference))([x, gamma, beta]);
    const got = tf.grads(loss(ours))([x, gamma, beta]);
    expect(tf.memory().numTensors).toBe(before + 4 + 6);
    tf.tidy(() => {
      expect(maxRelDiff(ours(x, gamma, beta), reference(x, gamma, beta))).toBeLessThan(1e-5);
      ['dx', 'dgamma', 'dbeta'].forEach((name, i) => expect(maxRelDiff(got[i] as tf.Tensor, want[i] as tf.Tensor), name).toBeLessThan(2e-5));
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      expect(maxRelDiff(tf.tensor1d(stats[0] as number[]), mean)).toBeLessThan(1e-6);
      expect(maxRelDiff(tf.tensor1d(stats[1] as number[]), variance)).toBeLessThan(1e-5);
    });
    tf.dispose([x, gamma, beta, dy, ...want, ...got]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('batchNormTrain runs as the fused kernels where the backend has them (webgpu), as stock ops elsewhere', async () => {
    const x = tf.randomNormal([2, 4, 4, 8], 0, 1, 'float32', 5);
    const gamma = tf.ones([8]);
    const beta = tf.zeros([8]);
    const names = async (relu: boolean) => {
      const p = await tf.profile(() => {
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(batchNormTrain(a, b, c, 1e-5, relu)))([x, gamma, beta]);
        tf.dispose(g);
      });
      return p.kernelNames;
    };
    for (const relu of [false, true]) {
      const kernels = await names(relu);
      const fused = kernels.filter((k) => k === BATCH_NORM_TRAIN || k === BATCH_NORM_TRAIN_GRAD);
      if (engine === 'webgpu') {
        expect(fused).toEqual([BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD]);
        expect(kernels).not.toContain('FusedBatchNorm');
      } else {
        expect(fused).toEqual([]);
        expect(kernels).toContain('FusedBatchNorm');
      }
    }
    tf.dispose([x, gamma, beta]);
  });

  it('reluFastGrad: relu, gradient dy where x > 0 and 0 elsewhere (x = 0 included, as torch)', () => {
    const x = tf.tensor1d([-2, -0.5, 0, 1e-30, 0.5, 3]);
    const dy = tf.tensor1d([1, 2, 3, 4, 5, 6]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(reluFastGrad(t), dy)))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0, 4, 5, 6]);
    expect(Array.from(reluFastGrad(x).dataSync())).toEqual(Array.from(tf.relu(x).dataSync()));
    tf.dispose([x, dy, g]);
  });

  it.each([
    [9, 3, 2, 'valid'],
    [10, 3, 2, 'valid'],
    [7, 3, 1, 'same'],
    [8, 1, 2, 'valid'],
    [11, 7, 2, 'valid'],
  ] as const)('TorchConv2D (%i px, k %i, stride %i, %s) equals tfjs-layers Conv2D: output, shape and kernel gradient', (size, k, s, padding) => {
    const inp = tfInput({ shape: [size, size, 4] });
    const ours = new TorchConv2D({ name: 'ours', filters: 5, kernelSize: k, strides: s, padding });
    const stock = layers.conv2d({ name: 'stock', filters: 5, kernelSize: k, strides: s, padding, useBias: false });
    const m = tfModel({ inputs: inp, outputs: [ours.apply(inp) as SymbolicTensor, stock.apply(inp) as SymbolicTensor] });
    expect(ours.outputShape).toEqual(stock.outputShape);
    stock.setWeights(ours.getWeights());
    const x = tf.randomNormal([2, size, size, 4], 0, 1, 'float32', 7);
    const [a, b] = m.predict(x) as tf.Tensor[];
    expect(maxRelDiff(a as tf.Tensor, b as tf.Tensor)).toBeLessThan(1e-6);
    const grad = (layer: { trainableWeights: { read(): tf.Tensor }[] }, out: number) => {
      const v = layer.trainableWeights[0]!.read() as tf.Variable;
      return tf.variableGrads(() => tf.sum(tf.square((m.apply(x) as tf.Tensor[])[out] as tf.Tensor)), [v]).grads[v.name] as tf.Tensor;
    };
    expect(maxRelDiff(grad(ours, 0), grad(stock, 1))).toBeLessThan(1e-5);
    m.dispose();
  });

  it('TorchConv2D on the image computes no input gradient; the stock (fused) Conv2D does', async () => {
    const inp = tfInput({ shape: [12, 12, 3] });
    const x = tf.randomNormal([2, 12, 12, 3], 0, 1, 'float32', 8);
    const backpropInputs = async (layer: layers.Layer) => {
      const m = tfModel({ inputs: inp, outputs: layer.apply(inp) as SymbolicTensor });
      const v = m.trainableWeights[0]!.read() as tf.Variable;
      const profile = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(m.apply(x) as tf.Tensor), [v]);
        tf.dispose([value, ...Object.values(grads)]);
      });
      m.dispose();
      return profile.kernelNames.filter((k) => k === 'Conv2DBackpropInput').length;
    };
    expect(await backpropInputs(new TorchConv2D({ filters: 4, kernelSize: 3, strides: 2 }))).toBe(0);
    expect(await backpropInputs(layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, useBias: false }))).toBe(1);
    x.dispose();
  });
});

describe('TorchBatchNorm activation', () => {
  beforeAll(async () => {
    await useBackendUnderTest('cpu');
  });

  it("is 'relu' or 'linear'; configs saved before it existed load as 'linear'", () => {
    const bn = new TorchBatchNorm({ name: 'bn', activation: 'relu' });
    expect(bn.getConfig().activation).toBe('relu');
    const { activation: _dropped, ...old } = bn.getConfig();
    const loaded = TorchBatchNorm.fromConfig(TorchBatchNorm, old) as TorchBatchNorm;
    expect(loaded.activation).toBe('linear');
    expect(() => new TorchBatchNorm({ activation: 'elu' as 'relu' })).toThrow(/'linear' or 'relu'/);
  });

  it('relu applies in eval mode, in training mode and when frozen', () => {
    const inp = tfInput({ shape: [2, 2, 3] });
    const bn = new TorchBatchNorm({ name: 'bn', activation: 'relu' });
    const m = tfModel({ inputs: inp, outputs: bn.apply(inp) as SymbolicTensor });
    bn.setWeights([tf.tensor1d([1.5, 0.5, 2]), tf.tensor1d([0.1, -0.2, 0.3]), tf.tensor1d([0.2, 0.1, -0.1]), tf.tensor1d([1.2, 0.8, 1.1])]);
    const x = tf.randomNormal([2, 2, 2, 3], 0, 2, 'float32', 3);
    const plain = (training: boolean) =>
      tf.tidy(() => {
        const [g, b, mm, mv] = bn.getWeights() as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.relu(training ? tf.batchNorm(x, mean, variance, b, g, 1e-5) : tf.batchNorm(x, mm, mv, b, g, 1e-5));
      });
    const evalWant = plain(false);
    expect(maxRelDiff(m.predict(x) as tf.Tensor, evalWant)).toBeLessThan(1e-6);
    const trainWant = plain(true);
    expect(maxRelDiff(m.apply(x, { training: true }) as tf.Tensor, trainWant)).toBeLessThan(1e-5);
    bn.trainable = false;
    expect(maxRelDiff(m.apply(x, { training: true }) as tf.Tensor, plain(false))).toBeLessThan(1e-6);
    m.dispose();
  });
});
