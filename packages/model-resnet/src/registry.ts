import { IMAGENET_NORMALIZATION, modelFields, NUM_CLASSES, SMALLEST_INPUT, type ModelArch } from '@facemask/contracts';
import { input as tfInput, model as tfModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { faceApiBackbone, faceApiStageOf, loadFaceApiWeights, setFaceApiInputAdapter } from './faceapi.ts';
import { extraBackbones, isExtraBackboneLayer, loadExtraBackbones } from './extra-backbones.ts';
import { applyTrainableStages, NUM_STAGES, type StageOf } from './freeze.ts';
import { attachHead } from './heads.ts';
import { Init } from './init.ts';
import { multiDepthFeatures } from './multi-depth.ts';
import { RESNET_SPECS, resnetBackbone, resnetStageOf } from './resnet.ts';
import { loadTorchSafetensors } from './torch-weights.ts';

/**
 * Models by name, timm style: createModel('resnet34', { inputHeight, inputWidth, ... }).
 * Every model takes NHWC float32 input normalised with the ImageNet mean/std (or inputMean/Std)
 * and outputs logits: one tensor [N, numClasses] ('single') or three [N,3], [N,2], [N,3] ('multi').
 * The LayersModel's name is the registry name, which setTrainableStages uses to find the stages.
 */

const triple = z.tuple([z.number(), z.number(), z.number()]);

export const modelOptionsSchema = z
  .object({
    // A floor for every model; one built at less than its own minInput fails with 'too small' below.
    inputHeight: z.number().int().min(SMALLEST_INPUT),
    inputWidth: z.number().int().min(SMALLEST_INPUT),
    numClasses: z.number().int().min(1).default(NUM_CLASSES),
    /** null: random init; a torchvision .safetensors state_dict path; or 'face-api'. */
    pretrained: z.string().min(1).nullable().default(null),
    // head, trainableStages, dropout, widthMultiplier, featureLayers, featureBands, featureNorm: the same rules as the config's model section.
    ...modelFields,
    /** The age bands' thresholds (preprocess.youngAgeThreshold / oldAgeThreshold): where ageHead 'ordinal' and 'distribution' read the bands off. */
    ageBands: z.object({ young: z.number().int().min(1), old: z.number().int().min(2) }).strict().default({ young: 30, old: 60 }),
    /** Seed of the weight initialisation and of dropout. */
    seed: z.number().int().default(0),
    /** Normalisation the input arrives with (used by architectures that convert it, e.g. face-api's). */
    inputMean: triple.default([...IMAGENET_NORMALIZATION.mean] as [number, number, number]),
    inputStd: triple.default([...IMAGENET_NORMALIZATION.std] as [number, number, number]),
  })
  .strict();

export type ModelOptionsInput = z.input<typeof modelOptionsSchema>;
export type ModelOptions = z.output<typeof modelOptionsSchema>;

export interface CreateModelExtras {
  /** Log lines (e.g. skipped head weights on a partial load). Default console.log. */
  log?: (line: string) => void;
}

export interface ModelFactory {
  /** Builds the architecture, randomly initialised (seeded), with its head. */
  build(opts: ModelOptions): LayersModel;
  /** Stage of each layer for trainableStages (0 stem .. numStages-1, 'head', 'fixed'). */
  stageOf: StageOf;
  numStages?: number;
  /** Loads `pretrained` into a built model. Default: a torchvision .safetensors state_dict. */
  loadPretrained?(model: LayersModel, pretrained: string, log: (line: string) => void): Promise<void>;
  description?: string;
}

const registry = new Map<string, ModelFactory>();

/** Adds a model under `name` (replacing one of the same name). */
export function registerModel(name: string, factory: ModelFactory): void {
  if (!/^[A-Za-z0-9][-A-Za-z0-9._]*$/.test(name)) throw new Error(`model name "${name}" must be letters, digits, '-', '_' or '.'`);
  registry.set(name, factory);
}

export function listModels(): string[] {
  return [...registry.keys()].sort();
}

export function getModelFactory(name: string): ModelFactory {
  const f = registry.get(name);
  if (!f) throw new Error(`unknown model "${name}"; available: ${listModels().join(', ')}`);
  return f;
}

export function parseModelOptions(name: string, opts: ModelOptionsInput): ModelOptions {
  const parsed = modelOptionsSchema.safeParse(opts);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
    throw new Error(`createModel("${name}"): invalid options: ${issues}`);
  }
  return parsed.data;
}

export async function createModel(name: string, opts: ModelOptionsInput, extras: CreateModelExtras = {}): Promise<LayersModel> {
  const factory = getModelFactory(name);
  const o = parseModelOptions(name, opts);
  const log = extras.log ?? ((line: string) => console.log(line));
  let model: LayersModel;
  try {
    model = factory.build(o);
  } catch (err) {
    throw new Error(`createModel("${name}") at ${o.inputHeight}x${o.inputWidth}: ${(err as Error).message}`);
  }
  const empty = model.layers.find((l) => [l.outputShape].flat(2).some((d) => typeof d === 'number' && d <= 0));
  if (empty) {
    model.dispose();
    throw new Error(`createModel("${name}"): input ${o.inputHeight}x${o.inputWidth} is too small, layer ${empty.name} has output shape [${String(empty.outputShape)}]; use a larger input`);
  }
  if (o.pretrained !== null) {
    try {
      if (factory.loadPretrained) await factory.loadPretrained(model, o.pretrained, log);
      else await defaultLoadPretrained(model, o.pretrained, log);
    } catch (err) {
      model.dispose();
      throw err;
    }
  }
  // Extra backbones are pretrained by definition: their weights load whatever `pretrained` says.
  try {
    await loadExtraBackbones(model, o);
  } catch (err) {
    model.dispose();
    throw err;
  }
  applyTrainableStages(model, o.trainableStages, stagesOf(factory), factory.numStages ?? NUM_STAGES);
  return model;
}

async function defaultLoadPretrained(model: LayersModel, pretrained: string, log: (line: string) => void): Promise<void> {
  if (pretrained === 'face-api') {
    throw new Error(`pretrained 'face-api' fits the architecture 'faceapi_resnet29' only, not ${model.name}; set model.arch to faceapi_resnet29`);
  }
  if (!pretrained.endsWith('.safetensors')) {
    throw new Error(`pretrained "${pretrained}" is neither 'face-api' nor a .safetensors state_dict (see the README of @facemask/model-resnet)`);
  }
  await loadTorchSafetensors(model, pretrained, { log });
}

/** A factory's stages, with every extra backbone's layer fixed (frozen in every mode). */
function stagesOf(factory: ModelFactory): StageOf {
  return (name) => (isExtraBackboneLayer(name) ? 'fixed' : factory.stageOf(name));
}

function inputOf(o: ModelOptions): SymbolicTensor {
  return tfInput({ name: 'input', shape: [o.inputHeight, o.inputWidth, 3], dtype: 'float32' });
}

for (const [arch, spec] of Object.entries(RESNET_SPECS)) {
  registerModel(arch, {
    description: `torchvision ${arch} (${spec.block} blocks ${spec.layers.join('-')})`,
    stageOf: resnetStageOf,
    build(o) {
      const init = new Init(o.seed);
      const x = inputOf(o);
      const features = multiDepthFeatures(x, resnetBackbone(init, x, spec, o.widthMultiplier), o.featureLayers, o.featureBands, extraBackbones(x, o));
      return tfModel({ name: arch, inputs: x, outputs: attachHead(init, features, o.head, o.numClasses, o.dropout, o.featureNorm, { kind: o.ageHead, ...o.ageBands }) });
    },
  });
}

registerModel('faceapi_resnet29', {
  description: "face-api's FaceRecognitionNet backbone (dlib ResNet-29, 150x150), pretrained: 'face-api'",
  stageOf: faceApiStageOf,
  build(o) {
    if (o.widthMultiplier !== 1) throw new Error('faceapi_resnet29 has fixed widths; widthMultiplier must be 1');
    const init = new Init(o.seed);
    const x = inputOf(o);
    const features = multiDepthFeatures(x, faceApiBackbone(init, x), o.featureLayers, o.featureBands, extraBackbones(x, o));
    const m = tfModel({ name: 'faceapi_resnet29', inputs: x, outputs: attachHead(init, features, o.head, o.numClasses, o.dropout, o.featureNorm, { kind: o.ageHead, ...o.ageBands }) });
    setFaceApiInputAdapter(m, o.inputMean, o.inputStd);
    return m;
  },
  async loadPretrained(model, pretrained, log) {
    if (pretrained !== 'face-api') {
      await defaultLoadPretrained(model, pretrained, log);
      return;
    }
    const initial = await loadFaceApiWeights(model);
    if (initial.length) log(`not from face-api's weights (new head, initial values): ${initial.join(', ')}`);
  },
});

type BuiltInArch = keyof typeof RESNET_SPECS | 'faceapi_resnet29';
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/**
 * The architectures registered above are contracts' MODEL_ARCHS, the names a config may give
 * (checked at config load, without tfjs): a name added on one side only does not compile.
 */
export const BUILT_IN_ARCHS_ARE_CONFIG_ARCHS: Same<BuiltInArch, ModelArch> = true;

/** Re-applies freezing to a model made by createModel (by its name); recompile afterwards. */
export function setTrainableStages(model: LayersModel, trainableStages: number): void {
  const factory = getModelFactory(model.name);
  applyTrainableStages(model, trainableStages, stagesOf(factory), factory.numStages ?? NUM_STAGES);
}
