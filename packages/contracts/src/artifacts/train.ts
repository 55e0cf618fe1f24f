import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { defineArtifact } from '../artifact.ts';
import { NUM_CLASSES } from '../labels.ts';
import { targets, type Round } from '../targets.ts';

/**
 * Class probabilities for a list of photos, written by a training fold (out-of-fold validation
 * photos and every eval photo) and read by ensemble and pseudo-label. `ids` are sample ids: the
 * train photo's relative path (e.g. "000001_female_Asian_45/mask1.jpg") or the eval ImageID.
 */
export const predictionsSchema = z
  .object({
    /** e.g. "round1/fold-2", "round2/fold-0/tta". */
    source: z.string(),
    split: z.enum(['oof', 'eval']),
    numClasses: z.literal(NUM_CLASSES),
    ids: z.array(z.string()),
    /** Row-major [ids.length, numClasses], each row sums to 1. */
    probs: z.array(z.number().min(0).max(1)),
    /** The true class of each id where known (oof), else null. */
    labels: z.array(z.number().int().min(0).max(NUM_CLASSES - 1)).nullable(),
  })
  .refine((p) => p.probs.length === p.ids.length * p.numClasses, { message: 'probs must have ids.length * numClasses values' })
  .refine((p) => p.labels === null || p.labels.length === p.ids.length, { message: 'labels must match ids' });

export type Predictions = z.infer<typeof predictionsSchema>;

export const predictionsArtifact = defineArtifact({ kind: 'train/predictions', version: 1, schema: predictionsSchema, producedBy: targets.trainRound(1) });

/** What a fold reports when it ends: written as summary.json beside its predictions. */
export const foldSummarySchema = z.object({
  round: z.number().int().min(1),
  fold: z.number().int().min(0),
  complete: z.boolean(),
  mode: z.enum(['finetune', 'frozen', 'features']),
  epochs: z.number().int().positive(),
  epochsDone: z.number().int().min(0),
  bestEpoch: z.number().int().min(-1),
  /** Out-of-fold macro F1 and accuracy of the best checkpoint. */
  bestMacroF1: z.number(),
  bestAccuracy: z.number(),
  trainSamples: z.number().int().min(0),
  valSamples: z.number().int().min(0),
  evalSamples: z.number().int().min(0),
  imagesPerSecond: z.number(),
  seconds: z.number(),
});
export type FoldSummary = z.infer<typeof foldSummarySchema>;

export const foldSummaryArtifact = defineArtifact({ kind: 'train/fold-summary', version: 1, schema: foldSummarySchema, producedBy: targets.trainRound(1) });

/** A fold's artifact specs: a missing file names that fold's own target. */
export function foldArtifacts(round: Round, fold: number) {
  const producedBy = targets.trainFold(round, fold);
  return { predictions: { ...predictionsArtifact, producedBy }, summary: { ...foldSummaryArtifact, producedBy } };
}

/** One line of a fold's metrics.jsonl: what happened in one epoch. */
export const epochRecordSchema = z.object({
  epoch: z.number().int().min(0),
  lr: z.number(),
  trainLoss: z.number(),
  valLoss: z.number(),
  accuracy: z.number(),
  macroF1: z.number(),
  perClassF1: z.array(z.number()),
  imagesPerSecond: z.number(),
  seconds: z.number(),
});
export type EpochRecord = z.infer<typeof epochRecordSchema>;

/** A fold's metrics.jsonl; an absent file is an empty log. */
export async function readEpochLog(path: string): Promise<EpochRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      let json: unknown;
      try {
        json = JSON.parse(l);
      } catch {
        throw new Error(`${path}:${i + 1}: not JSON: delete the fold folder and retrain it`);
      }
      const r = epochRecordSchema.safeParse(json);
      if (!r.success) throw new Error(`${path}:${i + 1}: not an epoch record (${z.prettifyError(r.error)})`);
      return r.data;
    });
}

/**
 * What `train:features` computed its feature table (features.safetensors beside it) from. A fold
 * reads the table only when its own config, data and engine give the same values.
 */
export const featuresMetaSchema = z.object({
  /** hashJson(featureParams(...)) of the config that computed them. */
  paramsHash: z.string(),
  /** The tfjs backend that ran the backbone (engines round differently). */
  engine: z.string(),
  /** The preprocess fingerprint (data set and options) of the cached photos. */
  dataset: z.string(),
  optionsHash: z.string(),
  /** Photos: the train cache's, then the eval cache's. */
  count: z.number().int().min(0),
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  dim: z.number().int().positive(),
  /** sha256 of features.safetensors as written: a fold reads the table only if it still has it. */
  tableSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type FeaturesMeta = z.infer<typeof featuresMetaSchema>;

export const featuresMetaArtifact = defineArtifact({ kind: 'train/features', version: 2, schema: featuresMetaSchema, producedBy: targets.trainFeatures });

/**
 * The record of a shared feature store entry (workLayout.featureStore): the table's sha256 when
 * it was stored, so a table changed since (it is hard-linked into every run that used it) is
 * computed again, never trusted.
 */
export const featureStoreEntrySchema = z.strictObject({
  /** The store key the entry was published under (its folder's name). */
  key: z.string().regex(/^[0-9a-f]{64}$/),
  tableSha256: z.string().regex(/^[0-9a-f]{64}$/),
  count: z.number().int().min(0),
  dim: z.number().int().positive(),
  /** The engine the backbone ran on (also in the key). */
  engine: z.string(),
});
export type FeatureStoreEntry = z.output<typeof featureStoreEntrySchema>;

export const featureStoreEntryArtifact = defineArtifact({ kind: 'train/feature-store-entry', version: 1, schema: featureStoreEntrySchema, producedBy: targets.trainFeatures });
