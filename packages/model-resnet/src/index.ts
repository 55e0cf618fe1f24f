export {
  TorchBatchNorm,
  ChannelAffine,
  ChannelZeroPad,
  SeededDropout,
  type TorchBatchNormArgs,
  type ChannelZeroPadArgs,
  type SeededDropoutArgs,
} from './custom-layers.ts';
export {
  createModel,
  listModels,
  registerModel,
  getModelFactory,
  parseModelOptions,
  setTrainableStages,
  modelOptionsSchema,
  type ModelFactory,
  type ModelOptions,
  type ModelOptionsInput,
  type CreateModelExtras,
} from './registry.ts';
export { RESNET_SPECS, BN_EPSILON, BN_MOMENTUM, resnetBackbone, resnetStageOf, scaledWidth, type ResNetSpec, type BlockKind } from './resnet.ts';
export { classProbs, combineMultiHead, multiHeadProbs, multiHeadTargets, attachHead, ageTrainingChain, MULTI_HEADS, FEATURE_NORM, HEAD_LAYERS, type AgeHeadOptions, type HeadKind, type MultiHeadTargets } from './heads.ts';
export * from './age-head.ts';
export * from './age-distribution.ts';
export { applyTrainableStages, isStageTrainable, NUM_STAGES, type Stage, type StageOf } from './freeze.ts';
export {
  stateDictSpec,
  exportStateDict,
  exportStateDictBytes,
  saveTorchSafetensors,
  loadTorchSafetensors,
  isHeadLayer,
  type LoadReport,
  type LoadOptions,
} from './torch-weights.ts';
export {
  faceApiBackbone,
  faceApiDescriptorLayer,
  faceApiStageOf,
  faceApiModelDir,
  readFaceApiWeights,
  loadFaceApiWeights,
  setFaceApiInputAdapter,
  createFaceApiDescriptorModel,
  FACE_API_BLOCKS,
  FACE_API_MEAN_RGB,
  FACE_API_INPUT_SIZE,
  FACE_API_DESCRIPTOR_SIZE,
  IMAGENET_MEAN,
  IMAGENET_STD,
} from './faceapi.ts';
export { FACERES_FEATURES, FACERES_INPUT_SIZE, loadFaceresWeights } from './faceres.ts';
export { isExtraBackboneLayer } from './extra-backbones.ts';
export { featureTaps, tapLayerName, RESNET_TAPS, FEATURES_CONCAT } from './taps.ts';
export { multiDepthFeatures } from './multi-depth.ts';
export { countParameters, countMultiplyAdds, statsTable, type ModelStats } from './stats.ts';
export { Init } from './init.ts';
export { foldBatchNorms } from './fold.ts';
