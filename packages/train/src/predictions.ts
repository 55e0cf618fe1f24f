import { z } from 'zod';
import { defineArtifact, NUM_CLASSES } from '@facemask/core';

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

export const predictionsArtifact = defineArtifact({
  kind: 'train/predictions',
  version: 1,
  schema: predictionsSchema,
  producedBy: 'train:round1 (or train:fold --fold=N)',
});
