import { join } from 'node:path';
import { readArtifact, type PipelineConfig } from '@facemask/core';
import { ensembleArtifacts, ensemblePaths, infoCsvPath, type Round, type Scores } from '@facemask/ensemble';
import { scoreSubmission } from './score.ts';
import { writeSubmission } from './write.ts';

export interface SubmitOptions {
  /** Which ensemble round to submit; default round 2 when config.pseudo.enabled, else round 1. */
  round?: Round;
}

export interface SubmitResult {
  path: string;
  round: Round;
  rows: number;
  /** Submissions per predicted class. */
  counts: number[];
  /** Against config.data.evalLabels when set, else null. */
  score: Scores | null;
}

/** `<work>/submission/submission.csv` */
export function submissionPath(work: string): string {
  return join(work, 'submission', 'submission.csv');
}

/**
 * Writes the submission from an ensemble round's eval predictions, in eval/info.csv order. With
 * pseudo-labelling on, the round-2 ensemble is required (a missing one names ensemble:round2)
 * rather than silently falling back to round 1.
 */
export async function runSubmit(config: PipelineConfig, opts: SubmitOptions = {}): Promise<SubmitResult> {
  const round: Round = opts.round ?? (config.pseudo.enabled ? 2 : 1);
  const pred = await readArtifact(ensembleArtifacts(round).eval, ensemblePaths(config.data.work, round).eval);
  const path = submissionPath(config.data.work);
  const written = await writeSubmission(pred, infoCsvPath(config.data.root), path);
  const score = config.data.evalLabels ? await scoreSubmission(path, config.data.evalLabels) : null;
  return { path, round, rows: written.rows, counts: written.counts, score };
}
