import { layers, model as tfModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { tapLayerName } from './taps.ts';

/** The layer that holds the head's input when features come from several depths. */
export const FEATURES_CONCAT = 'features_concat';

/**
 * The backbone's last pooled features, with the outputs of `layerNames` (layer names or stage
 * taps such as 'layer2') averaged over space and placed before them: [pool(l1), ..., features].
 * With no layers, `features` itself. Names each pool '<layer>.gap' and the result
 * FEATURES_CONCAT, so the 'features' tap (and train.mode "features") reads what the head reads.
 */
export function multiDepthFeatures(input: SymbolicTensor, features: SymbolicTensor, layerNames: readonly string[]): SymbolicTensor {
  if (layerNames.length === 0) return features;
  // A view of the graph built so far, to find layers by name; it owns nothing.
  const backbone = tfModel({ name: 'backbone_view', inputs: input, outputs: features });
  const pooled = layerNames.map((tap) => {
    const name = tapLayerName(backbone, tap);
    const layer = backbone.layers.find((l) => l.name === name);
    if (!layer) throw new Error(`model.featureLayers: no layer "${tap}" in the backbone (a layer name such as conv128_2.out, or layer1..layer4 for torchvision ResNets)`);
    const out = layer.output as SymbolicTensor;
    if (out.shape.length !== 4) throw new Error(`model.featureLayers: layer "${tap}" has output shape [${out.shape.map((d) => d ?? 'N').join(", ")}], not a feature map [N,H,W,C]`);
    return layers.globalAveragePooling2d({ name: `${name}.gap` }).apply(out) as SymbolicTensor;
  });
  return layers.concatenate({ name: FEATURES_CONCAT }).apply([...pooled, features]) as SymbolicTensor;
}
