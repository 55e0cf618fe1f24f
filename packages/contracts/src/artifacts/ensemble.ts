import { z } from 'zod';
import { defineArtifact } from '../artifact.ts';
import { NUM_CLASSES } from '../labels.ts';
import { targets, type Round } from '../targets.ts';
import { predictionsSchema } from './train.ts';

/** What ensemble writes under `<data.work>/ensemble/round<r>/`. */

export const ensembleEvalSchema = predictionsSchema.refine((p) => p.split === 'eval', { message: 'split must be "eval"' });
export const ensembleOofSchema = predictionsSchema
  .refine((p) => p.split === 'oof', { message: 'split must be "oof"' })
  .refine((p) => p.labels !== null, { message: 'out-of-fold predictions must carry labels' });

const count = z.number().int().min(0);
const unit = z.number().min(0).max(1);

export const classScoreSchema = z.object({
  cls: z.number().int().min(0).max(NUM_CLASSES - 1),
  name: z.string(),
  precision: unit,
  recall: unit,
  f1: unit,
  /** Photos of this class in the labels. */
  support: count,
});
export type ClassScore = z.infer<typeof classScoreSchema>;

export const scoresSchema = z.object({
  n: count,
  accuracy: unit,
  /** sklearn f1_score(average="macro"): averaged over the classes present in labels or predictions. */
  macroF1: unit,
  perClass: z.array(classScoreSchema).length(NUM_CLASSES),
  /** confusion[true][predicted], NUM_CLASSES x NUM_CLASSES. */
  confusion: z.array(z.array(count).length(NUM_CLASSES)).length(NUM_CLASSES),
});
export type Scores = z.infer<typeof scoresSchema>;

export const ensembleReportSchema = z.object({
  round: z.union([z.literal(1), z.literal(2)]),
  method: z.enum(['soft', 'hard']),
  /** As configured (one per fold) or null for equal weights. */
  weights: z.array(z.number().min(0)).nullable(),
  members: z.array(z.object({ fold: z.number().int().min(0), source: z.string(), oofCount: count, evalCount: count })),
  /** The joined out-of-fold predictions against the training labels. */
  oof: scoresSchema,
  /** Each fold's own out-of-fold score, to spot a fold that went wrong. */
  folds: z.array(z.object({ fold: z.number().int().min(0), n: count, accuracy: unit, macroF1: unit })),
  eval: z.object({
    n: count,
    /** Eval photos per predicted class. */
    predictedCounts: z.array(count).length(NUM_CLASSES),
    /** Mean of the top probability of the combined rows. */
    meanConfidence: unit,
    /** Fraction of eval photos on which every member's argmax equals the ensemble's. */
    unanimous: unit,
  }),
});
export type EnsembleReport = z.infer<typeof ensembleReportSchema>;

export const ensembleEvalArtifact = defineArtifact({ kind: 'ensemble/eval', version: 1, schema: ensembleEvalSchema, producedBy: targets.ensemble(1) });
export const ensembleOofArtifact = defineArtifact({ kind: 'ensemble/oof', version: 1, schema: ensembleOofSchema, producedBy: targets.ensemble(1) });
export const ensembleReportArtifact = defineArtifact({ kind: 'ensemble/report', version: 1, schema: ensembleReportSchema, producedBy: targets.ensemble(1) });

/** The ensemble artifact specs of a round, naming that round's Nx target when a file is missing. */
export function ensembleArtifacts(round: Round) {
  const producedBy = targets.ensemble(round);
  return {
    eval: { ...ensembleEvalArtifact, producedBy },
    oof: { ...ensembleOofArtifact, producedBy },
    report: { ...ensembleReportArtifact, producedBy },
  };
}
