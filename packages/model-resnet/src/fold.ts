import * as tf from '@tensorflow/tfjs-core';
import { input as tfInput, layers, model as tfModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { TorchBatchNorm, TorchConv2D } from './custom-layers.ts';

type Layer = layers.Layer;
type LayerClass = { fromConfig(cls: unknown, config: tf.serialization.ConfigDict): Layer };

/**
 * An inference copy of a model with every convolution -> BatchNorm pair folded into one
 * convolution with bias, the BatchNorm's ReLU as the convolution's fused activation:
 *   W' = W·s, b = β − μ·s with s = γ/√(σ² + ε) per output channel (running statistics).
 * One kernel call (conv + bias + ReLU, fused on wasm) instead of a conv, a BatchNorm and a ReLU.
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
  try {
    for (const layer of model.layers) {
      if (folded.has(layer)) continue;
      const node = layer.inboundNodes[0];
      if (!node || layer.inboundNodes.length !== 1) throw new Error(`foldBatchNorms: layer ${layer.name} is used ${layer.inboundNodes.length} times`);
      if (layer.getClassName() === 'InputLayer') {
        const original = node.outputTensors[0] as SymbolicTensor;
        const x = tfInput({ name: layer.name, shape: original.shape.slice(1) as number[], dtype: original.dtype });
        inputs.push(x);
        mapped.set(original, x);
        continue;
      }
      const ins = node.inputTensors.map((t) => {
        const m = mapped.get(t);
        if (!m) throw new Error(`foldBatchNorms: input of ${layer.name} not built yet`);
        return m;
      });
      const bn = foldableBatchNorm(layer);
      if (layer instanceof TorchConv2D && bn) {
        const [kernel, gamma, beta, mean, variance] = [...layer.getWeights(), ...bn.getWeights()] as tf.Tensor[];
        const [w, b] = tf.tidy(() => {
          const s = tf.div(gamma as tf.Tensor, tf.sqrt(tf.add(variance as tf.Tensor, bn.epsilon)));
          return [tf.mul(kernel as tf.Tensor, s), tf.sub(beta as tf.Tensor, tf.mul(mean as tf.Tensor, s))];
        });
        created.push(w as tf.Tensor, b as tf.Tensor);
        const conv = layers.conv2d({
          name: bn.name,
          filters: layer.filters,
          kernelSize: layer.kernelSize,
          strides: layer.strides,
          padding: layer.padding,
          useBias: true,
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

/** The TorchBatchNorm that is the only consumer of `layer`'s output, when `layer` is its only input. */
function foldableBatchNorm(layer: Layer): TorchBatchNorm | null {
  if (layer.outboundNodes.length !== 1) return null;
  const next = layer.outboundNodes[0]!.outboundLayer;
  if (!(next instanceof TorchBatchNorm) || next.inboundNodes.length !== 1) return null;
  return next.inboundNodes[0]!.inboundLayers.length === 1 ? next : null;
}
