import type { LayersModel } from '@tensorflow/tfjs-layers';
import { BN_CLASSES, CONV_CLASSES } from './layer-kinds.ts';

/**
 * Parameter and multiply-add counts from layer shapes, counted the way torchvision publishes them:
 * parameters exclude BatchNorm running statistics (buffers in torch) and the fixed input adapter;
 * multiply-adds are those of convolutions and dense layers per sample (BN, ReLU, pooling and
 * additions are not counted; torchvision's "GFLOPS" column counts the same thing).
 */

const MAC_CLASSES = new Set([...CONV_CLASSES, 'DepthwiseConv2D', 'Dense']);

export function countParameters(model: LayersModel): number {
  let n = 0;
  for (const layer of model.layers) {
    if (layer.name === 'input_adapter') continue;
    const isBn = BN_CLASSES.has(layer.getClassName());
    for (const w of layer.weights) {
      if (isBn && /moving_(mean|variance)/.test(w.originalName)) continue;
      n += (w.shape as number[]).reduce((a, b) => a * b, 1);
    }
  }
  return n;
}

function spatial(shape: (number | null)[]): number {
  return shape.slice(1, -1).reduce<number>((a, b) => a * (b ?? 1), 1);
}

/** Multiply-adds of one forward pass of one sample. */
export function countMultiplyAdds(model: LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (!MAC_CLASSES.has(cls)) continue;
    const kernel = layer.weights[0]?.shape as number[] | undefined;
    if (!kernel) continue;
    const out = layer.outputShape as (number | null)[];
    const perOutputPosition = kernel.reduce((a, b) => a * b, 1);
    macs += perOutputPosition * spatial(out);
  }
  return macs;
}

export interface ModelStats {
  name: string;
  parameters: number;
  multiplyAdds: number;
}

/** Markdown table of parameters and multiply-adds per model (exact, and in G to 2 decimals). */
export function statsTable(rows: ModelStats[], inputSize: string): string {
  const lines = [
    `| model | parameters | multiply-adds at ${inputSize} |`,
    '| --- | ---: | ---: |',
    ...rows.map((r) => `| ${r.name} | ${r.parameters.toLocaleString('en-US')} | ${r.multiplyAdds.toLocaleString('en-US')} (${(r.multiplyAdds / 1e9).toFixed(2)} G) |`),
  ];
  return lines.join('\n');
}
