import { z } from 'zod';
import { ArtifactError } from './artifact-error.ts';
import { modelIdentitySchema } from './artifacts/detect.ts';
import { detectOptionsSchema, faceCropSchema } from './config/detect.ts';
import { decodeClass, GENDERS, MASK_STATES, NUM_CLASSES } from './labels.ts';

/**
 * An exported model folder (`pnpm export`): the fold models of a run and everything needed to use
 * them on a new photo, described by one versioned manifest. Read by `pnpm predict` in Node and by
 * the kiosk page in a browser, so this file imports nothing but zod and zod-only schemas (no node: modules).
 *
 *   <dir>/manifest.json             { kind, version, data: ModelManifest }
 *   <dir>/folds/fold-<k>/model.json  a tfjs layers model (+ weights.bin) per member
 *   <dir>/detectors/<package>/<file>  a face-crop model's detector weights (npm package, path in it)
 */

export const MODEL_FOLDER_KIND = 'facemask/model-folder';
/** Raise when a reader of the old layout would misread the new one. */
export const MODEL_FOLDER_VERSION = 1;

/** Paths inside the folder, '/'-separated (they are URLs in the browser). */
export const MODEL_FOLDER_FILES = {
  manifest: 'manifest.json',
  member: (fold: number) => `folds/fold-${fold}`,
  /** A detector weight file by its package and its path in the package (ModelIdentity's). */
  detectorFile: (pkg: string, path: string) => `detectors/${pkg}/${path}`,
} as const;

const int = z.number().int();
const unit = z.number().min(0).max(1);
const rgb = z.tuple([z.number(), z.number(), z.number()]);

/** torchvision CenterCrop(size) of the decoded photo, then the resize to the input size. */
export const centreCropRuleSchema = z.strictObject({
  kind: z.literal('centre'),
  /** Side of the centred square; null: no crop, the whole photo is resized. */
  size: int.positive().nullable(),
});

/**
 * preprocess.faceCrop as the run's image cache applied it: the detect stage's detectors (their
 * options and the exact weights, copied into the folder), the crop around the first face, and
 * the centre crop of a photo where no face is found. Prediction runs the same detector on the
 * whole decoded photo and preprocess's own transform (transformPhoto) on its record.
 */
export const faceCropRuleSchema = z.strictObject({
  kind: z.literal('face'),
  /** The detect options the training photos' faces were found with (the detections artifact's). */
  detect: detectOptionsSchema,
  /** preprocess.faceCrop: margin, square, align, border. */
  crop: faceCropSchema,
  /** preprocess.centerCrop, for a photo without a face (null: the whole photo is resized). */
  fallbackCenterCrop: int.positive().nullable(),
  /** The networks' weights as the detect stage used them; the files sit under detectors/ (MODEL_FOLDER_FILES.detectorFile). */
  models: z.array(modelIdentitySchema).min(1),
  /** The tfjs backend the training detections ran on (boxes differ by float rounding between engines). */
  backend: z.string(),
});

export const cropRuleSchema = z.discriminatedUnion('kind', [centreCropRuleSchema, faceCropRuleSchema]);
export type CropRule = z.infer<typeof cropRuleSchema>;
export type CentreCropRule = z.infer<typeof centreCropRuleSchema>;
export type FaceCropRule = z.infer<typeof faceCropRuleSchema>;

/** One of the 18 classes in words, as the thresholds of the run that trained it define them. */
export const classEntrySchema = z.strictObject({
  id: int.min(0).max(NUM_CLASSES - 1),
  mask: z.enum(MASK_STATES),
  gender: z.enum(GENDERS),
  /** e.g. "<30", "30-57", "58+". */
  age: z.string().min(1),
});
export type ClassEntry = z.infer<typeof classEntrySchema>;

const sha = z.string().regex(/^[0-9a-f]{64}$/);

export const modelManifestSchema = z
  .strictObject({
    name: z.string(),
    exportedAt: z.iso.datetime(),
    /** What the models are and how their votes combine. */
    members: z.array(z.strictObject({ fold: int.min(0), path: z.string().min(1), oofMacroF1: unit, bestEpoch: int.min(-1) })).min(1),
    head: z.enum(['single', 'multi']),
    vote: z.strictObject({ method: z.enum(['soft', 'hard']), weights: z.array(z.number().min(0)).nullable() }),
    /** What a photo goes through before the models: decode to RGB, crop, resize, normalise. */
    input: z.strictObject({ height: int.positive(), width: int.positive(), channels: z.literal(3) }),
    crop: cropRuleSchema,
    normalize: z.strictObject({ mean: rgb, std: rgb }),
    /** 'hflip': each model's probabilities are the mean of the photo's and its mirror's. */
    tta: z.enum(['none', 'hflip']),
    /** class = mask*6 + gender*3 + age band; the bands from the thresholds below. */
    classes: z.array(classEntrySchema).length(NUM_CLASSES),
    ageThresholds: z.strictObject({ young: int.min(1), old: int.min(1) }),
    /** Where the models came from. */
    source: z.strictObject({
      round: z.union([z.literal(1), z.literal(2)]),
      /** hashJson of the whole config, and of the train stage's slice (the folds' run records). */
      configHash: sha,
      trainParamsHash: z.string().nullable(),
      /** The preprocess fingerprint: the data root's files and the options that shaped the cache. */
      data: z.strictObject({ dataset: sha, files: int.min(0), bytes: int.min(0), optionsHash: sha }),
      backend: z.string().nullable(),
    }),
    /** The run's out-of-fold scores (every fold the run trained, as the ensemble report gives them). */
    scores: z.strictObject({
      n: int.min(0),
      accuracy: unit,
      macroF1: unit,
      perClass: z.array(z.strictObject({ cls: int.min(0).max(NUM_CLASSES - 1), f1: unit, support: int.min(0) })).length(NUM_CLASSES),
      folds: z.array(z.strictObject({ fold: int.min(0), n: int.min(0), accuracy: unit, macroF1: unit })),
    }),
  })
  .superRefine((m, ctx) => {
    if (m.vote.weights !== null && m.vote.weights.length !== m.members.length) {
      ctx.addIssue({ code: 'custom', path: ['vote', 'weights'], message: `${m.vote.weights.length} weights for ${m.members.length} members` });
    }
    m.classes.forEach((c, i) => {
      const d = decodeClass(i);
      if (c.id !== i || c.mask !== MASK_STATES[d.mask] || c.gender !== GENDERS[d.gender]) {
        ctx.addIssue({ code: 'custom', path: ['classes', i], message: 'classes must list 0..17 as mask*6 + gender*3 + age band' });
      }
    });
    const folds = m.members.map((x) => x.fold);
    if (new Set(folds).size !== folds.length) ctx.addIssue({ code: 'custom', path: ['members'], message: 'a fold is listed twice' });
  });
export type ModelManifest = z.infer<typeof modelManifestSchema>;

/** The age bands in words for the thresholds: ["<30", "30-59", "60+"] for 30 and 60. */
export function ageBandWords(young: number, old: number): [string, string, string] {
  return [`<${young}`, `${young}-${old - 1}`, `${old}+`];
}

/** The 18 classes in words. */
export function classTable(thresholds: { young: number; old: number }): ClassEntry[] {
  const ages = ageBandWords(thresholds.young, thresholds.old);
  return Array.from({ length: NUM_CLASSES }, (_, id) => {
    const d = decodeClass(id);
    return { id, mask: MASK_STATES[d.mask], gender: GENDERS[d.gender], age: ages[d.ageBand] };
  });
}

/** `class` in words from a manifest's table, e.g. "not wear / male / 60+". */
export function describeClass(classes: readonly ClassEntry[], cls: number): string {
  const c = classes[cls];
  if (!c) throw new RangeError(`class ${cls} is not in 0..${classes.length - 1}`);
  return `${c.mask.replace('_', ' ')} / ${c.gender} / ${c.age}`;
}

/** What manifest.json holds. */
export function manifestFile(data: ModelManifest): { kind: string; version: number; data: ModelManifest } {
  return { kind: MODEL_FOLDER_KIND, version: MODEL_FOLDER_VERSION, data: modelManifestSchema.parse(data) };
}

/**
 * Checks a parsed manifest.json (`source` names it in errors): another kind of file, a folder of
 * another version (naming both versions) and a schema mismatch each get a one-line fix.
 */
export function parseModelManifest(json: unknown, source: string): ModelManifest {
  const env = z.object({ kind: z.string(), version: z.number().int(), data: z.unknown() }).safeParse(json);
  if (!env.success || env.data.kind !== MODEL_FOLDER_KIND) {
    const found = env.success ? ` (it holds a "${env.data.kind}" artifact)` : '';
    throw new ArtifactError(`${source} is not a model folder manifest${found}: point --model at a folder written by \`pnpm export\``);
  }
  if (env.data.version !== MODEL_FOLDER_VERSION) {
    throw new ArtifactError(
      `${source} is model folder version ${env.data.version}, this facemask reads version ${MODEL_FOLDER_VERSION}: ` +
        `export the model again with this version (\`pnpm export\`), or use the facemask release that reads version ${env.data.version}`,
    );
  }
  const r = modelManifestSchema.safeParse(env.data.data);
  if (!r.success) throw new ArtifactError(`${source} does not match the model folder schema (${z.prettifyError(r.error).replace(/\s*\n\s*/g, '; ')}): export the model again`);
  return r.data;
}
