import * as tf from '@tensorflow/tfjs-core';
import { initializers, input as tfInput, layers, model as tfModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { TorchBatchNorm, TorchConv2D } from './custom-layers.ts';
import type { Shape } from './layer-io.ts';

type Layer = layers.Layer;
type LayerClass = { fromConfig(cls: unknown, config: tf.serialization.ConfigDict): Layer };

export interface FoldedConv2DArgs {
  name?: string;
  filters: number;
  kernelSize: number;
  strides: number;
  /** 'valid', 'same', or explicit [top, bottom, left, right] zero padding. */
  padding: 'valid' | 'same' | [number, number, number, number];
  activation: 'linear' | 'relu';
}

/**
 * Inference-only convolution with bias, fused activation and explicit padding: one
 * tf.fused.conv2d. Explicit padding spares the zero-padding op before a stride-2 conv; every
 * engine runs it forward (the native engine's conv gradients support only 'valid'/'same', which
 * is why the trainable model keeps its ZeroPadding2D layers).
 */
export class FoldedConv2D extends layers.Layer {
  static readonly className = 'FoldedConv2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: FoldedConv2DArgs['padding'];
  readonly activation: FoldedConv2DArgs['activation'];
  private kernel: ReturnType<Layer['addWeight']> | null = null;
  private bias: ReturnType<Layer['addWeight']> | null = null;

  constructor(args: FoldedConv2DArgs) {
    super({ name: args.name, trainable: false });
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.strides = args.strides;
    this.padding = args.padding;
    this.activation = args.activation;
  }

  override build(inputShape: Shape | Shape[]): void {
    const c = (inputShape as Shape)[3] as number;
    const k = this.kernelSize;
    this.kernel = this.addWeight('kernel', [k, k, c, this.filters], 'float32', initializers.zeros(), undefined, false);
    this.bias = this.addWeight('bias', [this.filters], 'float32', initializers.zeros(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [n, h, w] = inputShape as Shape;
    const p = this.padding;
    const out = (d: number | null | undefined, before: number, after: number) => {
      if (d == null) return null;
      if (p === 'same') return Math.ceil(d / this.strides);
      return Math.floor((d + before + after - this.kernelSize) / this.strides) + 1;
    };
    const [t, b, l, r] = Array.isArray(p) ? p : [0, 0, 0, 0];
    return [n ?? null, out(h, t, b), out(w, l, r), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const p = this.padding;
      const pad = Array.isArray(p) ? ([[0, 0], [p[0], p[1]], [p[2], p[3]], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]]) : p;
      return tf.fused.conv2d({
        x,
        filter: this.kernel!.read() as tf.Tensor4D,
        strides: this.strides,
        pad,
        bias: this.bias!.read(),
        activation: this.activation,
      });
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, padding: this.padding, activation: this.activation };
  }
}
tf.serialization.registerClass(FoldedConv2D);

/**
 * An inference copy of a model with every convolution -> BatchNorm pair folded into one
 * convolution with bias, the BatchNorm's ReLU as the convolution's fused activation:
 *   W' = W·s, b = β − μ·s with s = γ/√(σ² + ε) per output channel (running statistics).
 * One kernel call (conv + bias + ReLU, fused on wasm) instead of a conv, a BatchNorm and a ReLU;
 * a ZeroPadding2D that only feeds such a conv becomes the conv's explicit padding.
 * The folded layer takes the BatchNorm's name, so layer taps downstream of it still work; a raw
 * convolution output (the 'conv1' tap) no longer exists in the copy. Outputs equal the model's
 * eval-mode outputs to float rounding. The copy owns its weights (the model may be disposed
 * first) and must be made again after the model's weights change; dispose it when done.
 */
export function foldBatchNorms(model: LayersModel): LayersModel {
  const mapped = new Map<SymbolicTensor, SymbolicTensor>();
  const created: tf.Tensor[] = [];
  const inputs: SymbolicTensor[] = [];
  const folded = new Set<Layer>();
  const pads = new Map<Layer, [number, number, number, number]>();
  try {
    for (const layer of model.layers) {
      if (folded.has(layer)) continue;
      // A layer may also sit in another model (train's head-only model shares the head's layers):
      // its node in this model is the one whose inputs this model has built.
      const nodes = layer.getClassName() === 'InputLayer' ? layer.inboundNodes.slice(0, 1) : layer.inboundNodes.filter((n) => n.inputTensors.every((t) => mapped.has(t)));
      const node = nodes[0];
      if (!node || nodes.length !== 1) throw new Error(`foldBatchNorms: layer ${layer.name} is used ${nodes.length} times in ${model.name}`);
      if (layer.getClassName() === 'InputLayer') {
        const original = node.outputTensors[0] as SymbolicTensor;
        const x = tfInput({ name: layer.name, shape: original.shape.slice(1) as number[], dtype: original.dtype });
        inputs.push(x);
        mapped.set(original, x);
        continue;
      }
      const ins = node.inputTensors.map((t) => mapped.get(t) as SymbolicTensor);
      const padded = paddedConv(layer);
      if (padded) {
        // The conv reads the unpadded input and pads explicitly (see FoldedConv2D).
        mapped.set(node.outputTensors[0] as SymbolicTensor, ins[0] as SymbolicTensor);
        pads.set(padded, (layer.getConfig().padding as [[number, number], [number, number]]).flat() as [number, number, number, number]);
        continue;
      }
      const bn = foldableBatchNorm(layer);
      if (layer instanceof TorchConv2D && bn) {
        const [kernel, gamma, beta, mean, variance] = [...layer.getWeights(), ...bn.getWeights()] as tf.Tensor[];
        const [w, b] = tf.tidy(() => {
          const s = tf.div(gamma as tf.Tensor, tf.sqrt(tf.add(variance as tf.Tensor, bn.epsilon)));
          return [tf.mul(kernel as tf.Tensor, s), tf.sub(beta as tf.Tensor, tf.mul(mean as tf.Tensor, s))];
        });
        created.push(w as tf.Tensor, b as tf.Tensor);
        const conv = new FoldedConv2D({
          name: bn.name,
          filters: layer.filters,
          kernelSize: layer.kernelSize,
          strides: layer.strides,
          padding: pads.get(layer) ?? layer.padding,
          activation: bn.activation,
        });
        const out = conv.apply(ins[0] as SymbolicTensor) as SymbolicTensor;
        conv.setWeights([w as tf.Tensor, b as tf.Tensor]);
        mapped.set(bn.inboundNodes[0]!.outputTensors[0] as SymbolicTensor, out);
        folded.add(bn);
        continue;
      }
      const copy = (layer.constructor as unknown as LayerClass).fromConfig(layer.constructor, layer.getConfig());
      const outs = [copy.apply(ins.length === 1 ? (ins[0] as SymbolicTensor) : ins)].flat() as SymbolicTensor[];
      copy.setWeights(layer.getWeights());
      node.outputTensors.forEach((t, i) => mapped.set(t, outs[i] as SymbolicTensor));
    }
    const outputs = model.outputs.map((t) => {
      const m = mapped.get(t);
      if (!m) throw new Error(`foldBatchNorms: output ${t.name} not built`);
      return m;
    });
    return tfModel({ name: model.name, inputs, outputs });
  } finally {
    tf.dispose(created);
  }
}

/** The conv a ZeroPadding2D alone feeds, when that conv pads 'valid' and is folded with a BatchNorm. */
function paddedConv(layer: Layer): TorchConv2D | null {
  if (layer.getClassName() !== 'ZeroPadding2D' || layer.getConfig().dataFormat !== 'channelsLast' || layer.outboundNodes.length !== 1) return null;
  const next = layer.outboundNodes[0]!.outboundLayer;
  if (!(next instanceof TorchConv2D) || next.padding !== 'valid' || !foldableBatchNorm(next)) return null;
  return next.inboundNodes.length === 1 ? next : null;
}

/** The TorchBatchNorm that is the only consumer of `layer`'s output, when `layer` is its only input. */
function foldableBatchNorm(layer: Layer): TorchBatchNorm | null {
  if (layer.outboundNodes.length !== 1) return null;
  const next = layer.outboundNodes[0]!.outboundLayer;
  if (!(next instanceof TorchBatchNorm) || next.inboundNodes.length !== 1) return null;
  return next.inboundNodes[0]!.inboundLayers.length === 1 ? next : null;
}
