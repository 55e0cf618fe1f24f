import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { StageParams } from '@facemask/contracts';
import { createModel } from '@facemask/model-resnet';

/** The fold's model from the registry: only finetune trains the backbone. */
export function createFoldModel(
  params: Pick<StageParams<'train'>, 'model' | 'train' | 'seed' | 'augment'>,
  input: { height: number; width: number },
  log: (line: string) => void,
): Promise<LayersModel> {
  // Every option of the model section reaches the registry (its schema is strict), so a new one
  // cannot be dropped here; only the mode decides what trains.
  const { arch, ...options } = params.model;
  return createModel(
    arch,
    {
      ...options,
      inputHeight: input.height,
      inputWidth: input.width,
      trainableStages: params.train.mode === 'finetune' ? options.trainableStages : 0,
      seed: params.seed,
      inputMean: params.augment.mean,
      inputStd: params.augment.std,
    },
    { log },
  );
}
