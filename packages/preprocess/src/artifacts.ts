import { join } from 'node:path';
import { z } from 'zod';
import { defineArtifact, encodeClass, NUM_CLASSES, PHOTO_KINDS, readArtifact, type AgeBand, type Gender, type Mask } from '@facemask/core';
import { CORRECTION_FIELDS } from './corrections.ts';

/** Artifacts under `<data.work>/preprocess/`, each a JSON envelope validated on read. */

export const PREPROCESS_DIR = 'preprocess';
export const artifactFiles = {
  samples: 'samples.json',
  eval: 'eval.json',
  summary: 'summary.json',
  fingerprint: 'fingerprint.json',
} as const;

export function preprocessDir(workDir: string): string {
  return join(workDir, PREPROCESS_DIR);
}

export function artifactPath(workDir: string, name: keyof typeof artifactFiles): string {
  return join(preprocessDir(workDir), artifactFiles[name]);
}

const int = z.number().int();

export const sampleSchema = z
  .object({
    /** Relative to train/images, e.g. "000001_female_Asian_45/mask1.jpg". */
    id: z.string(),
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

export const samplesSchema = z
  .object({
    dataRoot: z.string(),
    folds: int.min(2),
    seed: int,
    samples: z.array(sampleSchema),
  })
  .refine((x) => x.samples.every((s) => s.fold < x.folds), { message: 'every fold must be below folds' });
export type Samples = z.infer<typeof samplesSchema>;

export const samplesArtifact = defineArtifact({ kind: 'preprocess/samples', version: 1, schema: samplesSchema, producedBy: 'preprocess:run' });

export const evalImageSchema = z.object({ ImageID: z.string(), path: z.string(), cacheIndex: int.min(0) });
export type EvalImage = z.infer<typeof evalImageSchema>;

export const evalListSchema = z.object({
  dataRoot: z.string(),
  /** In info.csv order. */
  images: z.array(evalImageSchema),
});
export type EvalList = z.infer<typeof evalListSchema>;

export const evalListArtifact = defineArtifact({ kind: 'preprocess/eval', version: 1, schema: evalListSchema, producedBy: 'preprocess:run' });

const counts18 = z.array(int.min(0)).length(NUM_CLASSES);

export const summarySchema = z.object({
  dataRoot: z.string(),
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
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  warnings: z.array(z.string()),
  corrections: z.object({
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
    train: z.object({ count: int.min(0), reused: z.boolean() }),
    eval: z.object({ count: int.min(0), reused: z.boolean() }),
  }),
});
export type PreprocessSummary = z.infer<typeof summarySchema>;

export const summaryArtifact = defineArtifact({ kind: 'preprocess/summary', version: 1, schema: summarySchema, producedBy: 'preprocess:run' });

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
  version: 1,
  schema: fingerprintSchema,
  producedBy: 'preprocess:run',
});

export const readSamples = (workDir: string): Promise<Samples> => readArtifact(samplesArtifact, artifactPath(workDir, 'samples'));
export const readEvalList = (workDir: string): Promise<EvalList> => readArtifact(evalListArtifact, artifactPath(workDir, 'eval'));
export const readSummary = (workDir: string): Promise<PreprocessSummary> => readArtifact(summaryArtifact, artifactPath(workDir, 'summary'));
export const readFingerprint = (workDir: string): Promise<Fingerprint> =>
  readArtifact(fingerprintArtifact, artifactPath(workDir, 'fingerprint'));
