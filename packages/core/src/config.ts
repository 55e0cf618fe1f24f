import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * One JSON config per experiment. Every key but `data.root` has a default, so a config can be as
 * small as `{"data": {"root": "/path/to/data"}}`. Each stage reads only its own sections; the
 * Nx targets hash exactly those sections (see tools/pipeline), so changing an ensemble option
 * does not retrain anything.
 */

const ageRange = z.tuple([z.number().int(), z.number().int()]);

export const transformSpec = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hflip'), p: z.number().min(0).max(1).default(0.5) }),
  z.object({
    type: z.literal('randomResizedCrop'),
    scale: z.tuple([z.number(), z.number()]).default([0.6, 1]),
    ratio: z.tuple([z.number(), z.number()]).default([3 / 4, 4 / 3]),
    p: z.number().min(0).max(1).default(1),
  }),
  z.object({
    type: z.literal('colorJitter'),
    brightness: z.number().min(0).default(0.2),
    contrast: z.number().min(0).default(0.2),
    saturation: z.number().min(0).default(0.2),
    /** Hue shift range as a fraction of the colour wheel, uniform in [-hue, hue] (torchvision's ColorJitter(hue)). */
    hue: z.number().min(0).max(0.5).default(0),
    p: z.number().min(0).max(1).default(1),
  }),
  z.object({
    type: z.literal('randomErasing'),
    p: z.number().min(0).max(1).default(0.25),
    scale: z.tuple([z.number(), z.number()]).default([0.02, 0.2]),
    ratio: z.tuple([z.number(), z.number()]).default([0.3, 3.3]),
  }),
  z.object({ type: z.literal('gaussianNoise'), std: z.number().min(0).default(0.03), p: z.number().min(0).max(1).default(0.5) }),
  z.object({ type: z.literal('mixup'), alpha: z.number().positive().default(0.2), p: z.number().min(0).max(1).default(0.5) }),
  z.object({
    type: z.literal('cutmix'),
    alpha: z.number().positive().default(1),
    p: z.number().min(0).max(1).default(0.5),
    /** "vertical-half": the winners' left/right halves of two photos; "box": CutMix as published. */
    mode: z.enum(['box', 'vertical-half']).default('box'),
  }),
]);
export type TransformSpec = z.infer<typeof transformSpec>;

export const configSchema = z.object({
  name: z.string().default('experiment'),
  seed: z.number().int().default(42),
  data: z
    .object({
      root: z.string({ error: 'data.root is required: the folder holding train/ and eval/' }),
      /** Where the stages write their artifacts; relative paths are from the workspace root. */
      work: z.string().default('data/work'),
      /** Hidden eval labels (ImageID,ans) to score the submission against, when known. */
      evalLabels: z.string().nullable().default(null),
    })
    .strict(),
  preprocess: z
    .object({
      oldAgeThreshold: z.number().int().min(1).default(60),
      youngAgeThreshold: z.number().int().min(1).default(30),
      /** Inclusive age ranges whose people are left out of training, e.g. [[27, 29], [57, 59]]. */
      dropAgeRanges: z.array(ageRange).default([]),
      /** null: none; "builtin": the fixes competitors published for the real set; or a CSV path. */
      corrections: z.string().nullable().default(null),
      folds: z.number().int().min(2).default(5),
      onBadInput: z.enum(['error', 'skip']).default('error'),
      /** Deterministic transform applied once when caching: CenterCrop (null: none), then resize. */
      centerCrop: z.number().int().positive().nullable().default(384),
      height: z.number().int().positive().default(224),
      width: z.number().int().positive().default(224),
    })
    .strict()
    .prefault({}),
  augment: z
    .object({
      train: z.array(transformSpec).default([{ type: 'hflip', p: 0.5 }]),
      mean: z.tuple([z.number(), z.number(), z.number()]).default([0.485, 0.456, 0.406]),
      std: z.tuple([z.number(), z.number(), z.number()]).default([0.229, 0.224, 0.225]),
      /** Test-time augmentation: average the plain and the horizontally flipped photo. */
      tta: z.boolean().default(false),
    })
    .strict()
    .prefault({}),
  model: z
    .object({
      arch: z.string().default('resnet18'),
      /** null: random init; a .safetensors path of torchvision weights; or "face-api". */
      pretrained: z.string().nullable().default(null),
      head: z.enum(['single', 'multi']).default('single'),
      /** -1: nothing frozen; 0: whole backbone frozen; k>0: all but the last k stages frozen. */
      trainableStages: z.number().int().min(-1).default(-1),
      dropout: z.number().min(0).max(1).default(0),
      widthMultiplier: z.number().positive().default(1),
    })
    .strict()
    .prefault({}),
  loss: z
    .object({
      name: z.enum(['cross_entropy', 'label_smoothing', 'focal', 'f1']).default('cross_entropy'),
      smoothing: z.number().min(0).max(1).default(0.1),
      /** "torch": CrossEntropyLoss(label_smoothing); "competition": 1-e on target, e/(C-1) elsewhere. */
      smoothingKind: z.enum(['torch', 'competition']).default('competition'),
      gamma: z.number().min(0).default(2),
      epsilon: z.number().positive().default(1e-7),
    })
    .strict()
    .prefault({}),
  optim: z
    .object({
      name: z.enum(['sgd', 'adam', 'adamw']).default('sgd'),
      lr: z.number().positive().default(1e-4),
      momentum: z.number().min(0).default(0.9),
      nesterov: z.boolean().default(false),
      weightDecay: z.number().min(0).default(0),
      betas: z.tuple([z.number(), z.number()]).default([0.9, 0.999]),
      eps: z.number().positive().default(1e-8),
    })
    .strict()
    .prefault({}),
  scheduler: z
    .object({
      name: z.enum(['none', 'step', 'cosine']).default('step'),
      stepSize: z.number().int().positive().default(10),
      gamma: z.number().positive().default(0.9),
      etaMin: z.number().min(0).default(0),
      warmupEpochs: z.number().int().min(0).default(0),
    })
    .strict()
    .prefault({}),
  train: z
    .object({
      epochs: z.number().int().positive().default(15),
      batchSize: z.number().int().positive().default(4),
      /** finetune: everything trains; frozen: backbone frozen; features: cache pooled features, train the head. */
      mode: z.enum(['finetune', 'frozen', 'features']).default('finetune'),
      sampler: z.enum(['uniform', 'balanced']).default('uniform'),
      /**
       * Weigh the loss by inverse class frequency in the fold's training part: the 18 classes
       * for the single head, each head's own classes (mask, gender, age band) for the multi head.
       */
      classWeights: z.boolean().default(false),
      /** Which folds `train:all` trains (null: every fold). */
      folds: z.array(z.number().int().min(0)).nullable().default(null),
    })
    .strict()
    .prefault({}),
  ensemble: z
    .object({
      method: z.enum(['soft', 'hard']).default('soft'),
      weights: z.array(z.number().min(0)).nullable().default(null),
    })
    .strict()
    .prefault({}),
  pseudo: z
    .object({
      enabled: z.boolean().default(false),
      threshold: z.number().min(0).max(1).default(0.9),
      maxPerClass: z.number().int().positive().nullable().default(null),
    })
    .strict()
    .prefault({}),
  backend: z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).default('auto'),
});

export type PipelineConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses a config object; relative paths in `data` resolve against `baseDir`. */
export function parseConfig(input: unknown, source = '<config>', baseDir = process.cwd()): PipelineConfig {
  const r = configSchema.safeParse(input);
  if (!r.success) throw new ConfigError(`${source}: invalid config\n${z.prettifyError(r.error)}`);
  const cfg = r.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  cfg.data.root = abs(cfg.data.root);
  if (cfg.data.evalLabels) cfg.data.evalLabels = abs(cfg.data.evalLabels);
  const c = cfg.preprocess.corrections;
  if (c && c !== 'builtin') cfg.preprocess.corrections = abs(c);
  if (cfg.model.pretrained && cfg.model.pretrained !== 'face-api') cfg.model.pretrained = abs(cfg.model.pretrained);
  return cfg;
}

/**
 * Loads a config file. `data.root` and other data paths are relative to the config file's
 * folder; `data.work` is relative to `workspaceRoot` so artifacts stay where Nx expects them.
 */
export async function loadConfig(path: string, workspaceRoot = process.cwd()): Promise<PipelineConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  const cfg = parseConfig(json, path, dirname(resolve(path)));
  cfg.data.work = isAbsolute(cfg.data.work) ? cfg.data.work : resolve(workspaceRoot, cfg.data.work);
  return cfg;
}

/** The repository root (this file is packages/core/src/config.ts, or dist/ when built). */
export const WORKSPACE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEMO_CONFIG = resolve(WORKSPACE_ROOT, 'tools/pipeline/configs/demo.json');

/**
 * The config a pipeline target reads: `--config=FILE` if given, else $FACEMASK_CONFIG, else the
 * demo config. Nx hashes the file $FACEMASK_CONFIG names, so a `--config` naming another file is
 * refused rather than cached under the wrong key.
 */
export function resolveConfigPath(cli?: string): string {
  const env = process.env.FACEMASK_CONFIG ? resolve(process.env.FACEMASK_CONFIG) : undefined;
  const given = cli ? resolve(cli) : undefined;
  if (given && env && given !== env) {
    throw new ConfigError(
      `--config=${given} differs from FACEMASK_CONFIG=${env}: Nx hashes the file FACEMASK_CONFIG names; set it to the same file (pnpm pipeline --config does)`,
    );
  }
  return given ?? env ?? DEMO_CONFIG;
}

/** loadConfig of resolveConfigPath(cli), with data.work relative to the workspace root. */
export async function loadStageConfig(cli?: string, workspaceRoot = WORKSPACE_ROOT): Promise<PipelineConfig> {
  return loadConfig(resolveConfigPath(cli), workspaceRoot);
}
