import { model as tfModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { HEAD_LAYERS } from './heads.ts';

/**
 * Intermediate outputs by the names torchvision hooks use: conv1 (the raw conv, before bn1),
 * maxpool, layer1..layer4 (the last block's output), features (flattened avgpool, or what the head
 * reads when model.featureLayers adds earlier depths) and logits (fc).
 * Any layer name works as a tap too.
 */

/** The layer that holds the head's input when features come from several depths (multi-depth.ts). */
export const FEATURES_CONCAT = 'features_concat';

export const RESNET_TAPS = ['conv1', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4', 'features', 'logits'] as const;

export function tapLayerName(model: LayersModel, tap: string): string {
  // What the head reads: the last pool, or its concatenation with earlier depths (multi-depth.ts).
  if (tap === 'features') return model.layers.some((l) => l.name === FEATURES_CONCAT) ? FEATURES_CONCAT : 'avgpool';
  if (tap === 'logits') return HEAD_LAYERS.single;
  if (/^layer[1-4]$/.test(tap)) {
    const outs = model.layers.filter((l) => l.name.startsWith(`${tap}.`) && l.name.endsWith('.out'));
    const last = outs[outs.length - 1];
    if (!last) throw new Error(`model ${model.name} has no stage ${tap}`);
    return last.name;
  }
  return tap;
}

/**
 * A model sharing `model`'s layers whose outputs are the given taps, in order. It owns no tensors:
 * do not dispose it (tfjs would dispose the shared layers); dispose the original when done.
 */
export function featureTaps(model: LayersModel, taps: readonly string[] = RESNET_TAPS): LayersModel {
  const outputs = taps.map((tap) => {
    const name = tapLayerName(model, tap);
    let layer;
    try {
      layer = model.getLayer(name);
    } catch {
      throw new Error(`featureTaps: model ${model.name} has no layer "${name}" for tap "${tap}"`);
    }
    return layer.output as SymbolicTensor;
  });
  return tfModel({ name: `${model.name}_taps`, inputs: model.inputs, outputs });
}
