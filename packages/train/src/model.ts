import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { StageParams } from '@facemask/contracts';
import { createModel } from '@facemask/model-resnet';

/** The fold's model from the registry: only finetune trains the backbone. */
export function createFoldModel(
  params: Pick<StageParams<'train'>, 'model' | 'train' | 'seed' | 'augment'>,
  input: { height: number; width: number },
  log: (line: string) => void,
): Promise<LayersModel> {
  const m = params.model;
  return createModel(
    m.arch,
    {
      inputHeight: input.height,
      inputWidth: input.width,
      head: m.head,
      pretrained: m.pretrained,
      trainableStages: params.train.mode === 'finetune' ? m.trainableStages : 0,
      dropout: m.dropout,
      widthMultiplier: m.widthMultiplier,
      seed: params.seed,
      inputMean: params.augment.mean,
      inputStd: params.augment.std,
    },
    { log },
  );
}
