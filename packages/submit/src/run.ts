import { dataLayout, ensembleArtifacts, readArtifact, workLayout, scoreSubmission, type Round, type Scores, type StageParams } from '@facemask/contracts';
import { writeSubmission } from './write.ts';

export type SubmitParams = StageParams<'submit'>;

export interface SubmitOptions {
  work: string;
  /** Which ensemble round to submit instead of the pipeline's last (params.round). */
  round?: Round;
}

export interface SubmitResult {
  path: string;
  /** The ensemble round submitted. */
  round: Round;
  rows: number;
  /** Submissions per predicted class. */
  counts: number[];
  /** Against config.data.evalLabels when set, else null. */
  score: Scores | null;
}

/**
 * Writes the submission from an ensemble round's eval predictions, in eval/info.csv order. With
 * pseudo-labelling on, the round-2 ensemble is required (a missing one names ensemble:round2)
 * rather than silently falling back to round 1.
 */
export async function runSubmit(params: SubmitParams, opts: SubmitOptions): Promise<SubmitResult> {
  const round: Round = opts.round ?? params.round;
  const pred = await readArtifact(ensembleArtifacts(round).eval, workLayout.ensemble(opts.work, round).eval);
  const path = workLayout.submission(opts.work).csv;
  const written = await writeSubmission(pred, dataLayout.infoCsv(params.root), path);
  const score = params.evalLabels ? await scoreSubmission(path, params.evalLabels) : null;
  return { path, round, rows: written.rows, counts: written.counts, score };
}
