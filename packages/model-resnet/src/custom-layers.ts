import { Rng } from '@facemask/contracts/browser';
import { activeBackendHas, BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from '@facemask/engine/kernel-names';
import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { firstShape, firstTensor, type LayerArgs, type Shape } from './layer-io.ts';

/**
 * Small layers the stock tfjs-layers set lacks. Each is registered for serialisation, so a
 * saved model loads again as long as this module has been imported.
 */

type Kwargs = Record<string, unknown>;

function channelsOf(shape: Shape, layer: string): number {
  const c = shape[shape.length - 1];
  if (c == null) throw new Error(`${layer}: the channel dimension must be known when the layer is built`);
  return c;
}

export type BatchNormActivation = 'linear' | 'relu';

export interface TorchBatchNormArgs extends LayerArgs {
  /** Added to the variance; PyTorch's default 1e-5 (tfjs-layers defaults to 1e-3). */
  epsilon?: number;
  /** Keras convention: moving = momentum * moving + (1 - momentum) * batch. 0.9 = PyTorch's 0.1. */
  momentum?: number;
  /** 'relu' applies a ReLU to the normalised output (BatchNorm2d followed by nn.ReLU). Default 'linear'. */
  activation?: BatchNormActivation;
}

/**
 * BatchNorm over the last axis with PyTorch's semantics:
 * - in training mode the batch is normalised with its biased variance while the running variance is
 *   updated with the unbiased one (torch.nn.BatchNorm2d does exactly this);
 * - a layer with trainable = false behaves as in eval mode even during training: it normalises
 *   with its running statistics and leaves them alone. tfjs-layers' BatchNormalization ignores
 *   `trainable` here and would keep updating the statistics of a "frozen" backbone.
 *
 * Training mode runs as one custom-gradient op (see batchNormTrain): tfjs' own gradient of
 * tf.moments + tf.batchNorm (+ tf.relu) is about 40 small kernels per layer on the native engine.
 */
export class TorchBatchNorm extends layers.Layer {
  static readonly className = 'TorchBatchNorm';
  readonly epsilon: number;
  readonly momentum: number;
  readonly activation: BatchNormActivation;
  private gamma: LayerVariable | null = null;
  private beta: LayerVariable | null = null;
  private movingMean: LayerVariable | null = null;
  private movingVariance: LayerVariable | null = null;

  constructor(args: TorchBatchNormArgs = {}) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-5;
    this.momentum = args.momentum ?? 0.9;
    this.activation = args.activation ?? 'linear';
    if (this.activation !== 'linear' && this.activation !== 'relu') {
      throw new Error(`${this.name}: activation must be 'linear' or 'relu', got ${String(this.activation)}`);
    }
    this.supportsMasking = true;
  }

  override build(inputShape: Shape | Shape[]): void {
    const c = channelsOf(firstShape(inputShape), this.name);
    this.gamma = this.addWeight('gamma', [c], 'float32', initializers.ones(), undefined, true);
    this.beta = this.addWeight('beta', [c], 'float32', initializers.zeros(), undefined, true);
    this.movingMean = this.addWeight('moving_mean', [c], 'float32', initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [c], 'float32', initializers.ones(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = firstTensor(inputs);
      const gamma = (this.gamma as LayerVariable).read();
      const beta = (this.beta as LayerVariable).read();
      const movingMean = this.movingMean as LayerVariable;
      const movingVariance = this.movingVariance as LayerVariable;
      const relu = this.activation === 'relu';
      if (kwargs.training !== true || !this.trainable) {
        const y = tf.batchNorm(x, movingMean.read(), movingVariance.read(), beta, gamma, this.epsilon);
        return relu ? reluFastGrad(y) : y;
      }
      const n = x.size / (x.shape[x.shape.length - 1] as number);
      const m = this.momentum;
      return batchNormTrain(x, gamma, beta, this.epsilon, relu, (mean, variance) => {
        // Not on the loss path: the running statistics take the batch's, variance unbiased.
        const unbiased = n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
        movingMean.write(tf.add(tf.mul(movingMean.read(), m), tf.mul(mean, 1 - m)));
        movingVariance.write(tf.add(tf.mul(movingVariance.read(), m), tf.mul(unbiased, 1 - m)));
      });
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon, momentum: this.momentum, activation: this.activation };
  }
}

/**
 * Training-mode BatchNorm (+ ReLU) over all axes but the last, as one op whose gradient is written
 * out (x̂ = (x - μ)/σ, g = dL/dy masked by the ReLU, sums over the batch axes):
 *   dβ = Σg,  dγ = Σ g·x̂,  dx = γ/σ · (g - Σg/n - x̂ · Σg·x̂/n).
 * About 9 kernels forward and backward instead of about 40 from tfjs' autodiff, each a fused
 * batchNorm, an element-wise op or a reduction that every backend has; a backend with the
 * engine's own BatchNorm kernels (webgpu) runs one kernel each way instead. `onStats` receives
 * the batch mean and biased variance.
 */
export function batchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  relu: boolean,
  onStats: (mean: tf.Tensor, variance: tf.Tensor) => void = () => {},
): tf.Tensor {
  if (x.dtype === 'float32' && hasFusedBatchNorm()) return fusedBatchNormTrain(x, gamma, beta, epsilon, relu, onStats);
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const mean = tf.mean(xi, axes);
    const variance = tf.mean(tf.squaredDifference(xi, mean), axes);
    onStats(mean, variance);
    const normed = tf.batchNorm(xi, mean, variance, b, g, epsilon);
    const value = relu ? tf.relu(normed) : normed;
    save(relu ? [xi, mean, variance, g, value] : [xi, mean, variance, g]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sMean, sVar, sGamma, sOut] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor?];
        const count = sx.size / (sx.shape[sx.shape.length - 1] as number);
        const gy = sOut ? reluMask(dy, sOut) : dy;
        const xhat = tf.batchNorm(sx, sMean, sVar, undefined, undefined, epsilon);
        const dBeta = tf.sum(gy, axes);
        const dGamma = tf.sum(tf.mul(gy, xhat), axes);
        const centred = tf.batchNorm(gy, tf.div(dBeta, count), sVar, undefined, sGamma, epsilon);
        const k = tf.mul(tf.mul(sGamma, tf.rsqrt(tf.add(sVar, epsilon))), tf.div(dGamma, count));
        return [tf.sub(centred, tf.mul(xhat, k)), dGamma, dBeta];
      },
    };
  });
  return op(x, gamma, beta);
}

function hasFusedBatchNorm(): boolean {
  return activeBackendHas(BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD);
}

/** batchNormTrain through the backend's two kernels: the same outputs, saved tensors and gradients. */
function fusedBatchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  relu: boolean,
  onStats: (mean: tf.Tensor, variance: tf.Tensor) => void,
): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [value, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x: xi, gamma: g, beta: b }, { epsilon, relu }) as tf.Tensor[] as [tf.Tensor, tf.Tensor, tf.Tensor];
    onStats(mean, variance);
    save(relu ? [xi, mean, variance, g, value] : [xi, mean, variance, g]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sMean, sVar, sGamma, sOut] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor?];
        const inputs = { dy, x: sx, mean: sMean, variance: sVar, gamma: sGamma, ...(sOut ? { y: sOut } : {}) };
        const [dx, dGamma, dBeta] = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, inputs, { epsilon }) as tf.Tensor[];
        return [dx as tf.Tensor, dGamma as tf.Tensor, dBeta as tf.Tensor];
      },
    };
  });
  return op(x, gamma, beta);
}

/**
 * dy where the ReLU's output y is positive, else 0 (torch's threshold_backward). Not dy·step(x),
 * tfjs' own: the native engine builds Step from isNaN, greater, fill and select, six kernels over
 * the whole tensor; and not dy·sign(y): wasm's Sign returns 0 below about 1e-7.
 */
function reluMask(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.mul(dy, tf.cast(tf.greater(y, 0), 'float32'));
}

/** tf.relu with reluMask as its gradient. */
export const reluFastGrad = (x: tf.Tensor): tf.Tensor =>
  tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const value = tf.relu(xi);
    save([value]);
    return { value, gradFunc: (dy: tf.Tensor, [y]: tf.Tensor[]) => reluMask(dy, y as tf.Tensor) };
  })(x);

/** nn.ReLU as a layer, with reluFastGrad's cheaper gradient. */
export class TorchReLU extends layers.Layer {
  static readonly className = 'TorchReLU';

  constructor(args: LayerArgs = {}) {
    super(args);
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => reluFastGrad(firstTensor(inputs)));
  }
}

export interface TorchConv2DArgs extends LayerArgs {
  filters: number;
  kernelSize: number;
  strides?: number;
  padding?: 'valid' | 'same';
  /** Only used when the layer is built; a loaded model gets its weights from the file. */
  kernelInitializer?: ReturnType<typeof initializers.varianceScaling>;
}

/**
 * A square 2-D convolution without bias (NHWC, HWIO weight 'kernel') that runs as tf.conv2d.
 * tfjs-layers' Conv2D runs every convolution as tf.fused.conv2d, whose custom gradient always
 * computes the input's gradient too: for the first convolution of a network (its input is the
 * image) that is a whole wasted backward convolution per step. tf.conv2d's gradient is computed
 * only for what needs one.
 */
export class TorchConv2D extends layers.Layer {
  static readonly className = 'TorchConv2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: 'valid' | 'same';
  private readonly kernelInitializer: TorchConv2DArgs['kernelInitializer'];
  private kernel: LayerVariable | null = null;

  constructor(args: TorchConv2DArgs) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.strides = args.strides ?? 1;
    this.padding = args.padding ?? 'valid';
    this.kernelInitializer = args.kernelInitializer;
    for (const [what, v] of [['filters', this.filters], ['kernelSize', this.kernelSize], ['strides', this.strides]] as const) {
      if (!(Number.isInteger(v) && v >= 1)) throw new Error(`${this.name}: ${what} must be a positive integer, got ${v}`);
    }
    if (this.padding !== 'valid' && this.padding !== 'same') throw new Error(`${this.name}: padding must be 'valid' or 'same', got ${String(this.padding)}`);
  }

  override build(inputShape: Shape | Shape[]): void {
    const c = channelsOf(firstShape(inputShape), this.name);
    const k = this.kernelSize;
    const init = this.kernelInitializer ?? initializers.glorotUniform({});
    this.kernel = this.addWeight('kernel', [k, k, c, this.filters], 'float32', init, undefined, true);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [n, h, w] = firstShape(inputShape);
    const out = (d: number | null | undefined) =>
      d == null ? null : this.padding === 'same' ? Math.ceil(d / this.strides) : Math.ceil((d - this.kernelSize + 1) / this.strides);
    return [n ?? null, out(h), out(w), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.conv2d(firstTensor(inputs) as tf.Tensor4D, (this.kernel as LayerVariable).read() as tf.Tensor4D, this.strides, this.padding));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, padding: this.padding };
  }
}

/**
 * y = x * weights + biases per channel (face-api's "scale" layer, dlib's affine layer). Also serves
 * as the fixed input adapter of the face-api backbone. Starts as the identity.
 */
export class ChannelAffine extends layers.Layer {
  static readonly className = 'ChannelAffine';
  private weightsVar: LayerVariable | null = null;
  private biasesVar: LayerVariable | null = null;

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  override build(inputShape: Shape | Shape[]): void {
    const c = channelsOf(firstShape(inputShape), this.name);
    this.weightsVar = this.addWeight('weights', [c], 'float32', initializers.ones(), undefined, true);
    this.biasesVar = this.addWeight('biases', [c], 'float32', initializers.zeros(), undefined, true);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() =>
      tf.add(tf.mul(firstTensor(inputs), (this.weightsVar as LayerVariable).read()), (this.biasesVar as LayerVariable).read()),
    );
  }
}

export interface ChannelZeroPadArgs extends LayerArgs {
  channels: number;
}

/** Appends zero channels up to `channels` (face-api's down-sampling shortcut). */
export class ChannelZeroPad extends layers.Layer {
  static readonly className = 'ChannelZeroPad';
  readonly channels: number;

  constructor(args: ChannelZeroPadArgs) {
    super(args);
    this.channels = args.channels;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = [...firstShape(inputShape)];
    const c = channelsOf(s, this.name);
    if (c > this.channels) throw new Error(`${this.name}: input has ${c} channels, more than ${this.channels}`);
    s[s.length - 1] = this.channels;
    return s;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = firstTensor(inputs);
      const pad = x.shape.map((_, i): [number, number] =>
        i === x.rank - 1 ? [0, this.channels - (x.shape[i] as number)] : [0, 0],
      );
      return tf.pad(x, pad);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), channels: this.channels };
  }
}

export interface BilinearResizeArgs extends LayerArgs {
  height: number;
  width: number;
}

/**
 * Resizes NHWC maps to height x width, bilinear, corners not aligned (tf.image.resizeBilinear's
 * default, what Human does before its faceres model). tfjs-layers' own Resizing layer reports a
 * rank-3 output shape for rank-4 input, which a conv after it rejects.
 */
export class BilinearResize extends layers.Layer {
  static readonly className = 'BilinearResize';
  readonly height: number;
  readonly width: number;

  constructor(args: BilinearResizeArgs) {
    super(args);
    this.height = args.height;
    this.width = args.width;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = firstShape(inputShape);
    if (s.length !== 4) throw new Error(`${this.name}: expects NHWC input, got shape [${s.join(', ')}]`);
    return [s[0] ?? null, this.height, this.width, s[3] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.image.resizeBilinear(firstTensor(inputs) as tf.Tensor4D, [this.height, this.width], false));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), height: this.height, width: this.width };
  }
}

export interface SeededDropoutArgs extends LayerArgs {
  rate: number;
  seed: number;
}

/**
 * Inverted dropout whose masks come from a seeded stream: call k of a layer with seed s uses
 * Rng.derive(s, k). tfjs-layers' Dropout with a seed draws the same mask on every call (it reseeds
 * each time), and without one it is not reproducible. The call counter restarts when the model
 * is loaded again.
 */
export class SeededDropout extends layers.Layer {
  static readonly className = 'SeededDropout';
  readonly rate: number;
  readonly seed: number;
  private calls = 0;

  constructor(args: SeededDropoutArgs) {
    super(args);
    if (!(args.rate >= 0 && args.rate < 1)) throw new Error(`${this.name}: dropout rate must be in [0, 1), got ${args.rate}`);
    this.rate = args.rate;
    this.seed = args.seed;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = firstTensor(inputs);
      if (kwargs.training !== true || this.rate === 0) return tf.clone(x);
      const seed = Rng.derive(this.seed, 'dropout', this.calls++).seed();
      const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), this.rate), 'float32');
      return tf.mul(x, tf.mul(keep, 1 / (1 - this.rate)));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

tf.serialization.registerClass(TorchBatchNorm);
tf.serialization.registerClass(TorchReLU);
tf.serialization.registerClass(TorchConv2D);
tf.serialization.registerClass(SeededDropout);
tf.serialization.registerClass(ChannelAffine);
tf.serialization.registerClass(ChannelZeroPad);
tf.serialization.registerClass(BilinearResize);
