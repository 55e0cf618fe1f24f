import { Rng } from '@facemask/contracts/browser';
import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers, type LayerVariable } from '@tensorflow/tfjs-layers';

/**
 * Four small layers the stock tfjs-layers set lacks. Each is registered for serialisation, so a
 * saved model loads again as long as this module has been imported.
 */

type Shape = (number | null)[];
type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Kwargs = Record<string, unknown>;

function firstShape(inputShape: Shape | Shape[]): Shape {
  return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
}

function firstTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
}

function channelsOf(shape: Shape, layer: string): number {
  const c = shape[shape.length - 1];
  if (c == null) throw new Error(`${layer}: the channel dimension must be known when the layer is built`);
  return c;
}

export interface TorchBatchNormArgs extends LayerArgs {
  /** Added to the variance; PyTorch's default 1e-5 (tfjs-layers defaults to 1e-3). */
  epsilon?: number;
  /** Keras convention: moving = momentum * moving + (1 - momentum) * batch. 0.9 = PyTorch's 0.1. */
  momentum?: number;
}

/**
 * BatchNorm over the last axis with PyTorch's semantics:
 * - in training mode the batch is normalised with its biased variance while the running variance is
 *   updated with the unbiased one (torch.nn.BatchNorm2d does exactly this);
 * - a layer with trainable = false behaves as in eval mode even during training: it normalises
 *   with its running statistics and leaves them alone. tfjs-layers' BatchNormalization ignores
 *   `trainable` here and would keep updating the statistics of a "frozen" backbone.
 */
export class TorchBatchNorm extends layers.Layer {
  static readonly className = 'TorchBatchNorm';
  readonly epsilon: number;
  readonly momentum: number;
  private gamma: LayerVariable | null = null;
  private beta: LayerVariable | null = null;
  private movingMean: LayerVariable | null = null;
  private movingVariance: LayerVariable | null = null;

  constructor(args: TorchBatchNormArgs = {}) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-5;
    this.momentum = args.momentum ?? 0.9;
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
      if (kwargs.training !== true || !this.trainable) {
        return tf.batchNorm(x, movingMean.read(), movingVariance.read(), beta, gamma, this.epsilon);
      }
      const axes = x.shape.slice(0, -1).map((_, i) => i);
      const { mean, variance } = tf.moments(x, axes);
      const y = tf.batchNorm(x, mean, variance, beta, gamma, this.epsilon);
      const n = x.size / (x.shape[x.shape.length - 1] as number);
      tf.tidy(() => {
        const m = this.momentum;
        // Not on the loss path, so the gradient tape ignores these.
        const batchMean = mean;
        const batchVar = n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
        movingMean.write(tf.add(tf.mul(movingMean.read(), m), tf.mul(batchMean, 1 - m)));
        movingVariance.write(tf.add(tf.mul(movingVariance.read(), m), tf.mul(batchVar, 1 - m)));
      });
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon, momentum: this.momentum };
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
tf.serialization.registerClass(SeededDropout);
tf.serialization.registerClass(ChannelAffine);
tf.serialization.registerClass(ChannelZeroPad);
