import { z } from 'zod';
import { BACKEND_PREFERENCES } from '../backends.ts';
import { IMAGENET_NORMALIZATION } from './archs.ts';
import { detectOptionsSchema, faceCropSchema } from './detect.ts';
import { lossSpec } from './loss.ts';
import { modelFields } from './model.ts';
import { transformSpec } from './transforms.ts';

/**
 * One JSON config per experiment. Every key but `data.root` has a default, so a config can be as
 * small as `{"data": {"root": "/path/to/data"}}`. Every level is strict: a misspelt key is an
 * error naming its path. Which stage reads what is declared once, in ../stages.ts.
 */

const ageRange = z.tuple([z.number().int(), z.number().int()]);

export const configSchema = z
  .object({
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
        /**
         * Crop around the face the detect stage found instead (null: the centre crop for every
         * photo); a photo without a face gets the centre crop above. Adds the detect stage to the graph.
         */
        faceCrop: faceCropSchema.nullable().default(null),
        height: z.number().int().positive().default(224),
        width: z.number().int().positive().default(224),
      })
      .strict()
      .prefault({}),
    /** The detect stage's detectors (read only when preprocess.faceCrop is set). */
    detect: detectOptionsSchema.prefault({}),
    augment: z
      .object({
        train: z.array(transformSpec).default([{ type: 'hflip', p: 0.5 }]),
        mean: z.tuple([z.number(), z.number(), z.number()]).default([...IMAGENET_NORMALIZATION.mean] as [number, number, number]),
        std: z.tuple([z.number(), z.number(), z.number()]).default([...IMAGENET_NORMALIZATION.std] as [number, number, number]),
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
        ...modelFields,
      })
      .strict()
      .prefault({}),
    loss: lossSpec.default({ name: 'cross_entropy' }),
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
        /**
         * Which folds the pipeline trains (null: every fold). Not part of any fold's key: adding a
         * fold trains that fold alone.
         */
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
    /** The run report's own options (`<data.work>/report/`); no other stage reads them. */
    report: z
      .object({
        /** How many of the most confidently wrong out-of-fold photos the page shows. */
        worst: z.number().int().min(0).max(500).default(24),
        /** Thumbnail size of those photos: pixels on the long side. */
        thumbSize: z.number().int().min(32).max(1024).default(192),
      })
      .strict()
      .prefault({}),
    /** The tfjs engine; `--backend` and TFJS_BACKEND take precedence over it. */
    backend: z.enum(BACKEND_PREFERENCES).default('auto'),
  })
  .strict();

export type PipelineConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
