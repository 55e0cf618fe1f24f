import { existsSync } from 'node:fs';
import { ARCH_FACTS, IMAGENET_NORMALIZATION, isModelArch, MODEL_ARCHS } from './archs.ts';
import type { PipelineConfig } from './schema.ts';

/**
 * What the schema cannot say about a config, checked when it loads rather than in the stage
 * (or after every fold has trained) where it would fail: each problem with its fix.
 */
export function configProblems(cfg: PipelineConfig): string[] {
  const out: string[] = [];
  const pp = cfg.preprocess;
  if (pp.youngAgeThreshold >= pp.oldAgeThreshold) {
    out.push(
      `preprocess.youngAgeThreshold (${pp.youngAgeThreshold}) must be below preprocess.oldAgeThreshold (${pp.oldAgeThreshold}), or the middle age band is empty: swap or correct them`,
    );
  }
  const m = cfg.model;
  if (!isModelArch(m.arch)) out.push(`model.arch "${m.arch}" is not an architecture this facemask builds: use one of ${MODEL_ARCHS.join(', ')}`);
  const faceApiArchs = MODEL_ARCHS.filter((a) => ARCH_FACTS[a].pretrained === 'face-api');
  const takes = isModelArch(m.arch) ? ARCH_FACTS[m.arch].pretrained : null;
  if (m.pretrained === 'face-api' && takes !== 'face-api') {
    out.push(`model.pretrained "face-api" fits model.arch ${faceApiArchs.join(' or ')} only, not ${m.arch}: set model.arch to ${faceApiArchs.join(' or ')}, or model.pretrained to a .safetensors file`);
  } else if (m.pretrained !== null && m.pretrained !== 'face-api' && takes === 'face-api') {
    out.push(`model.arch ${m.arch} loads face-api's own weights: set model.pretrained to "face-api" or null, not ${m.pretrained}`);
  } else if (m.pretrained !== null && m.pretrained !== 'face-api') {
    if (!m.pretrained.endsWith('.safetensors')) out.push(`model.pretrained ${m.pretrained} is not a .safetensors file: name a torchvision state_dict saved as .safetensors, "face-api" or null`);
    else if (!existsSync(m.pretrained)) out.push(`model.pretrained ${m.pretrained} does not exist: put the weights there (relative paths are from the config file's folder), or set model.pretrained to null`);
  }
  if (isModelArch(m.arch) && !ARCH_FACTS[m.arch].scalableWidth && m.widthMultiplier !== 1) {
    out.push(`model.arch ${m.arch} has fixed widths (its weights set them): set model.widthMultiplier to 1, not ${m.widthMultiplier}`);
  }
  const side = Math.min(pp.height, pp.width);
  if (isModelArch(m.arch) && side < ARCH_FACTS[m.arch].minInput) {
    out.push(
      `preprocess.height x width ${pp.height}x${pp.width} is too small for model.arch ${m.arch}, whose downsampling leaves no feature map below ${ARCH_FACTS[m.arch].minInput} px: set both to ${ARCH_FACTS[m.arch].minInput} or more`,
    );
  }
  const { mean, std } = cfg.augment;
  if (std.some((s) => !(s > 0 && s <= 1))) {
    out.push(`augment.std [${std.join(', ')}] must be in (0, 1] per channel (pixels are 0..1; a 0 divides by zero): ImageNet's is [${IMAGENET_NORMALIZATION.std.join(', ')}]`);
  }
  if (mean.some((v) => !(v >= 0 && v <= 1))) {
    out.push(`augment.mean [${mean.join(', ')}] must be in [0, 1] per channel (pixels are 0..1; divide a 0..255 mean by 255): ImageNet's is [${IMAGENET_NORMALIZATION.mean.join(', ')}]`);
  }
  const sched = cfg.scheduler;
  // Otherwise every fold's first epoch fails on it, after preprocess and the features have run.
  if (sched.name === 'cosine' && sched.warmupEpochs >= cfg.train.epochs) {
    out.push(
      `scheduler.warmupEpochs (${sched.warmupEpochs}) leaves no epochs of train.epochs (${cfg.train.epochs}) for the cosine schedule: set warmupEpochs below train.epochs, or raise train.epochs`,
    );
  }
  const weights = cfg.ensemble.weights;
  if (weights !== null) {
    const folds = new Set(cfg.train.folds ?? Array.from({ length: pp.folds }, (_, k) => k)).size;
    if (weights.length !== folds) {
      out.push(`ensemble.weights has ${weights.length} values for ${folds} trained folds: give one weight per fold (train.folds, else preprocess.folds), or null for equal weights`);
    } else if (weights.every((w) => w === 0)) {
      out.push('ensemble.weights are all 0: give at least one fold a positive weight, or null for equal weights');
    }
  }
  return out;
}
