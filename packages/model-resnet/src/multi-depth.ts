import { layers, model as tfModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { FEATURES_CONCAT, tapLayerName } from './taps.ts';

/**
 * The backbone's last pooled features, with the outputs of `layerNames` (layer names or stage
 * taps such as 'layer2') averaged over space and placed before them: [pool(l1), ..., features].
 * With `bands` > 1 each layer's map is averaged per horizontal band instead (rows split as evenly
 * as they go, top first), so its part is [band 1, ..., band n], each as wide as the layer.
 * `extra` (second backbones' features, model.extraBackbones) follow last. With no layers and no
 * extra, `features` itself. Names each pool '<layer>.gap' ('<layer>.band<k>.gap') and
 * the result FEATURES_CONCAT, so the 'features' tap (and train.mode "features") reads what the
 * head reads.
 */
export function multiDepthFeatures(input: SymbolicTensor, features: SymbolicTensor, layerNames: readonly string[], bands = 1, extra: readonly SymbolicTensor[] = []): SymbolicTensor {
  if (layerNames.length === 0 && extra.length === 0) return features;
  // A view of the graph built so far, to find layers by name (the extra backbones' too); it owns nothing.
  const backbone = tfModel({ name: 'backbone_view', inputs: input, outputs: [features, ...extra] });
  const pooled = layerNames.flatMap((tap) => {
    const name = tapLayerName(backbone, tap);
    const layer = backbone.layers.find((l) => l.name === name);
    if (!layer) throw new Error(`model.featureLayers: no layer "${tap}" in the backbone or an extra backbone (a layer name such as conv128_2.out or faceres.conv_pw_11_relu, or layer1..layer4 for torchvision ResNets)`);
    const out = layer.output as SymbolicTensor;
    if (out.shape.length !== 4) throw new Error(`model.featureLayers: layer "${tap}" has output shape [${out.shape.map((d) => d ?? 'N').join(", ")}], not a feature map [N,H,W,C]`);
    if (bands === 1) return [layers.globalAveragePooling2d({ name: `${name}.gap` }).apply(out) as SymbolicTensor];
    const height = out.shape[1];
    if (typeof height !== 'number' || height < bands) {
      throw new Error(`model.featureBands: layer "${tap}" is ${height ?? 'of unknown height'} rows high, fewer than the ${bands} bands asked for: use fewer bands or a larger input`);
    }
    return bandRows(height, bands).map(([top, bottom], k) => {
      const band = layers.cropping2D({ name: `${name}.band${k + 1}`, cropping: [[top, height - bottom], [0, 0]] }).apply(out) as SymbolicTensor;
      return layers.globalAveragePooling2d({ name: `${name}.band${k + 1}.gap` }).apply(band) as SymbolicTensor;
    });
  });
  return layers.concatenate({ name: FEATURES_CONCAT }).apply([...pooled, features, ...extra]) as SymbolicTensor;
}

/** The [first, last + 1) rows of each of `bands` horizontal bands of a map `height` rows high. */
export function bandRows(height: number, bands: number): [number, number][] {
  return Array.from({ length: bands }, (_, k) => [Math.floor((k * height) / bands), Math.floor(((k + 1) * height) / bands)]);
}
