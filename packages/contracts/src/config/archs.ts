/**
 * The model architectures a config may name (model.arch). The registry that builds them lives in
 * @facemask/model-resnet, which needs tfjs; contracts stays tfjs-free, so the names are kept here
 * and the registry is checked against them (at compile time and by its tests).
 */
export const MODEL_ARCHS = ['resnet18', 'resnet34', 'resnet50', 'faceapi_resnet29'] as const;
export type ModelArch = (typeof MODEL_ARCHS)[number];

export const isModelArch = (name: string): name is ModelArch => (MODEL_ARCHS as readonly string[]).includes(name);

/** ImageNet's per-channel mean and std on 0..1 pixels: what torchvision's weights (and face-api's, through its input adapter) were trained with. */
export const IMAGENET_NORMALIZATION = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;

/**
 * What each architecture's pretrained weights expect, like timm's pretrained_cfg: one home for
 * the facts the config defaults, the config checks and the model registry read.
 */
export interface ArchFacts {
  /** The input normalisation its pretrained weights were trained with. */
  normalization: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /** What `model.pretrained` may name for it. */
  pretrained: 'safetensors' | 'face-api';
  /** Whether `model.widthMultiplier` may scale its channels (a network whose weights fix them may not). */
  scalableWidth: boolean;
  /** The smallest input side (px) its downsampling leaves a feature map for: preprocess.height and width must reach it. */
  minInput: number;
}

export const ARCH_FACTS: { [A in ModelArch]: ArchFacts } = {
  resnet18: { normalization: IMAGENET_NORMALIZATION, pretrained: 'safetensors', scalableWidth: true, minInput: 16 },
  resnet34: { normalization: IMAGENET_NORMALIZATION, pretrained: 'safetensors', scalableWidth: true, minInput: 16 },
  resnet50: { normalization: IMAGENET_NORMALIZATION, pretrained: 'safetensors', scalableWidth: true, minInput: 16 },
  faceapi_resnet29: { normalization: IMAGENET_NORMALIZATION, pretrained: 'face-api', scalableWidth: false, minInput: 104 },
};

/** The smallest input side any built-in architecture takes: the floor of the model registry's options (each architecture's own is its minInput). */
export const SMALLEST_INPUT = Math.min(...MODEL_ARCHS.map((a) => ARCH_FACTS[a].minInput));
