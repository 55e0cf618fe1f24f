import { model as tfModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import type { Fingerprint, StageParams } from '@facemask/contracts';
import { ageTrainingChain, createModel } from '@facemask/model-resnet';

/** The age bands' thresholds, young and old. */
export interface AgeBands {
  young: number;
  old: number;
}

/**
 * The age band thresholds the samples were labelled with. The train stage does not read the
 * preprocess section; the fingerprint it already reads records it (the preprocess options that
 * shaped the samples), so the ordinal head reads the bands exactly where the labels split them.
 */
export function ageBandsOf(fp: Pick<Fingerprint, 'options'>): AgeBands {
  const pp = (fp.options as { preprocess?: { youngAgeThreshold?: unknown; oldAgeThreshold?: unknown } }).preprocess;
  const young = pp?.youngAgeThreshold;
  const old = pp?.oldAgeThreshold;
  if (typeof young !== 'number' || typeof old !== 'number') {
    throw new Error('the fingerprint records no age thresholds (preprocess.youngAgeThreshold / oldAgeThreshold): rerun `nx run preprocess:run`');
  }
  return { young, old };
}

/** The fold's model from the registry: only finetune trains the backbone. */
export function createFoldModel(
  params: Pick<StageParams<'train'>, 'model' | 'train' | 'seed' | 'augment'>,
  input: { height: number; width: number },
  log: (line: string) => void,
  ageBands: AgeBands = { young: 30, old: 60 },
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
      ageBands,
    },
    { log },
  );
}

/**
 * The model training runs on: the model itself, or with an exact-age head (ordinal,
 * distribution) a view of the same layers with a fourth output, the logits its loss needs. The
 * model saved for prediction keeps its three outputs. The view's layers are the model's: dispose
 * the model only.
 */
export function trainingView(model: LayersModel): LayersModel {
  const last = ageTrainingChain(model).at(-1);
  if (last == null) return model;
  // Node 0 is the layer's call in this model (headOnly may have applied it again since).
  const exact = model.getLayer(last).getOutputAt(0) as SymbolicTensor;
  return tfModel({ name: `${model.name}_train`, inputs: model.inputs, outputs: [...model.outputs, exact] });
}
