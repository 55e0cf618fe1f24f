import type { LayersModel } from '@tensorflow/tfjs-layers';

/**
 * Stage-wise freezing. Stages: 0 the stem, 1..4 layer1..layer4 (or the face-api widths); the head
 * is never frozen and 'fixed' layers never train. trainableStages: -1 nothing frozen, 0 the whole
 * backbone frozen, k > 0 all but the last k stages frozen.
 */

export type Stage = number | 'head' | 'fixed';
export type StageOf = (layerName: string) => Stage;

export const NUM_STAGES = 5;

export function isStageTrainable(stage: Stage, trainableStages: number, numStages = NUM_STAGES): boolean {
  if (stage === 'fixed') return false;
  if (stage === 'head' || trainableStages < 0) return true;
  return stage >= numStages - trainableStages;
}

/**
 * Sets layer.trainable for every layer. A frozen TorchBatchNorm also stops updating its running
 * statistics and normalises with them during training. Compile (or rebuild the optimizer's
 * variable list) after changing this: tfjs collects trainable weights at compile time.
 */
export function applyTrainableStages(model: LayersModel, trainableStages: number, stageOf: StageOf, numStages = NUM_STAGES): void {
  if (!Number.isInteger(trainableStages) || trainableStages < -1) {
    throw new Error(`trainableStages must be -1 (nothing frozen), 0 (backbone frozen) or a positive stage count; got ${trainableStages}`);
  }
  for (const layer of model.layers) {
    layer.trainable = isStageTrainable(stageOf(layer.name), trainableStages, numStages);
  }
}
