import { z } from 'zod';
import { defineArtifact, readArtifact } from '../artifact.ts';
import { faceCropSchema } from '../config/detect.ts';
import { encodeClass, NUM_CLASSES, PHOTO_KINDS, type AgeBand, type Gender, type Mask } from '../labels.ts';
import { CACHE_SPLITS, workLayout, type CacheSplit } from '../layout.ts';
import { targets } from '../targets.ts';

/** What preprocess writes under `<data.work>/preprocess/`, each a JSON envelope validated on read. */

const producedBy = targets.preprocess;

/** The fields a corrections CSV may change. */
export const CORRECTION_FIELDS = ['gender', 'age', 'swap_incorrect_normal'] as const;
export type CorrectionField = (typeof CORRECTION_FIELDS)[number];

const int = z.number().int();

export const sampleSchema = z
  .object({
    /** Relative to train/images, e.g. "000001_female_Asian_45/mask1.jpg". */
    id: z.string(),
    /** Relative to the data root (dataFile joins it), e.g. "train/images/000001_female_Asian_45/mask1.jpg". */
    path: z.string(),
    personId: z.string(),
    /** From the file name (before any swap correction). */
    kind: z.enum(PHOTO_KINDS),
    mask: int.min(0).max(2),
    gender: int.min(0).max(1),
    age: int.min(0),
    ageBand: int.min(0).max(2),
    cls: int.min(0).max(NUM_CLASSES - 1),
    fold: int.min(0),
    /** The corrections that changed this photo's label, "; "-joined, or null. */
    correction: z.string().nullable(),
    /** Row in the train image cache. */
    cacheIndex: int.min(0),
  })
  .refine((s) => s.cls === encodeClass(s.mask as Mask, s.gender as Gender, s.ageBand as AgeBand), {
    message: 'cls must equal mask*6 + gender*3 + ageBand',
  });
export type Sample = z.infer<typeof sampleSchema>;

/*
 * No data root in any of these: they are part of later tasks' Nx keys and restored as-is on
 * machines where the root lies elsewhere. Paths are relative to it (contracts' dataFile joins
 * them with the root of the reader's config).
 */
export const samplesSchema = z
  .object({
    folds: int.min(2),
    seed: int,
    samples: z.array(sampleSchema),
  })
  .refine((x) => x.samples.every((s) => s.fold < x.folds), { message: 'every fold must be below folds' });
export type Samples = z.infer<typeof samplesSchema>;

export const samplesArtifact = defineArtifact({ kind: 'preprocess/samples', version: 2, schema: samplesSchema, producedBy });

/** path: relative to the data root, e.g. "eval/images/0001.jpg". */
export const evalImageSchema = z.object({ ImageID: z.string(), path: z.string(), cacheIndex: int.min(0) });
export type EvalImage = z.infer<typeof evalImageSchema>;

export const evalListSchema = z.object({
  /** In info.csv order. */
  images: z.array(evalImageSchema),
});
export type EvalList = z.infer<typeof evalListSchema>;

export const evalListArtifact = defineArtifact({ kind: 'preprocess/eval', version: 2, schema: evalListSchema, producedBy });

const counts18 = z.array(int.min(0)).length(NUM_CLASSES);

export const preprocessSummarySchema = z.object({
  seed: int,
  folds: int.min(2),
  totals: z.object({
    /** Person folders / photo files found (before skipping and dropping). */
    peopleFound: int.min(0),
    photosFound: int.min(0),
    /** What the samples artifact holds. */
    people: int.min(0),
    samples: int.min(0),
    evalImages: int.min(0),
  }),
  classCounts: counts18,
  foldPeople: z.array(int.min(0)),
  foldSamples: z.array(int.min(0)),
  foldClassCounts: z.array(counts18),
  /** max |share of a class in a fold - its share overall| (person 6-class and image 18-class). */
  balance: z.object({ person6WithinFold: z.number(), image18WithinFold: z.number() }),
  /** path: relative to the data root (the photo, folder or CSV left out). */
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  /** Files of the data root named relative to it, the corrections file by its name (see corrections.source). */
  warnings: z.array(z.string()),
  corrections: z.object({
    /** "builtin", or the corrections file's name (its content's sha256 is in the fingerprint's options). */
    source: z.string().nullable(),
    applied: z.array(z.object({ id: z.string(), field: z.enum(CORRECTION_FIELDS), from: z.string(), to: z.string() })),
    ignored: z.array(z.object({ id: z.string(), field: z.enum(CORRECTION_FIELDS), value: z.string(), reason: z.string() })),
    /** Samples whose label a correction changed. */
    samplesChanged: int.min(0),
  }),
  dropped: z.object({
    ageRanges: z.array(z.tuple([int, int])),
    people: z.array(z.object({ id: z.string(), age: int, photos: int.min(0) })),
  }),
  /** Dot files (e.g. macOS "._mask1.jpg") that were ignored. */
  hiddenFiles: int.min(0),
  cache: z.object({
    height: int.positive(),
    width: int.positive(),
    channels: int.positive(),
    centerCrop: int.positive().nullable(),
    train: z.object({ count: int.min(0) }),
    eval: z.object({ count: int.min(0) }),
    /** With preprocess.faceCrop: the crop and, per photo kind and for the eval photos, how many got the centre crop for want of a face. */
    faceCrop: z
      .object({
        options: faceCropSchema,
        fallbacks: z.record(z.enum([...PHOTO_KINDS, 'eval']), z.object({ photos: int.min(0), fallbacks: int.min(0) })),
        /** Cached photos the detections did not cover (detect could not decode them, or they were added since): centre crop too, counted in fallbacks. */
        unrecorded: int.min(0),
      })
      .nullable()
      .default(null),
  }),
});
export type PreprocessSummary = z.infer<typeof preprocessSummarySchema>;

export const preprocessSummaryArtifact = defineArtifact({ kind: 'preprocess/summary', version: 2, schema: preprocessSummarySchema, producedBy });

const sha = z.string().regex(/^[0-9a-f]{64}$/);

export const fingerprintSchema = z.object({
  /** fingerprintDataRoot(dataRoot): every file under train/ and eval/. */
  dataset: sha,
  files: int.min(0),
  bytes: int.min(0),
  /** Hash of the config values that shape the outputs (seed, preprocess section, corrections file contents). */
  optionsHash: sha,
  options: z.record(z.string(), z.unknown()),
  cache: z.object({ trainInputs: z.string(), evalInputs: z.string(), transform: z.string() }),
});
export type Fingerprint = z.infer<typeof fingerprintSchema>;

export const fingerprintArtifact = defineArtifact({
  kind: 'preprocess/fingerprint',
  // 2: options.preprocess.corrections names the file by its name, not its path
  version: 2,
  schema: fingerprintSchema,
  producedBy,
});

export const imageCacheIndexSchema = z
  .object({
    split: z.enum(CACHE_SPLITS as [CacheSplit, ...CacheSplit[]]),
    count: int.min(0),
    height: int.positive(),
    width: int.positive(),
    channels: int.positive(),
    centerCrop: int.positive().nullable(),
    /** preprocess.faceCrop the store was cropped with (null: the centre crop only): a deleted store is rebuilt with it. */
    faceCrop: faceCropSchema.nullable().default(null),
    /** The store's folder under `<data.work>/.cache/images/` (workLayout.imageStore): hash of inputsHash and transformHash. */
    store: sha,
    /** sha256 of the store's pixels: downstream keys change whenever the pixels do, and a rebuilt store is checked against it. */
    pixelsSha256: sha,
    /** Photo ids in store order: train "folder/file", eval ImageID. */
    ids: z.array(z.string()),
    /** Each stored photo's file (relative to the data root) and content sha256 (as ids): what a deleted store is rebuilt from. */
    sources: z.array(z.object({ path: z.string(), sha256: sha })),
    /** Hash of the ordered inputs (id + content sha256) this store was built from. */
    inputsHash: sha,
    /** Hash of the transform options (centerCrop, height, width), the store format and the decoder's version. */
    transformHash: sha,
    /** Inputs that could not be decoded (only in onBadInput "skip" runs), not in the store. */
    failures: z.array(z.object({ id: z.string(), reason: z.string(), fix: z.string() })),
  })
  .refine((x) => x.ids.length === x.count && x.sources.length === x.count, { message: 'ids and sources must have count entries' });
export type ImageCacheIndex = z.infer<typeof imageCacheIndexSchema>;

export const imageCacheIndexArtifact = defineArtifact({ kind: 'preprocess/image-cache', version: 3, schema: imageCacheIndexSchema, producedBy });

export const readSamples = (work: string): Promise<Samples> => readArtifact(samplesArtifact, workLayout.preprocess(work).samples);
export const readEvalList = (work: string): Promise<EvalList> => readArtifact(evalListArtifact, workLayout.preprocess(work).eval);
export const readPreprocessSummary = (work: string): Promise<PreprocessSummary> => readArtifact(preprocessSummaryArtifact, workLayout.preprocess(work).summary);
export const readFingerprint = (work: string): Promise<Fingerprint> => readArtifact(fingerprintArtifact, workLayout.preprocess(work).fingerprint);
