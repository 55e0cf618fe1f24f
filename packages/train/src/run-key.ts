import { hashJson, type Fingerprint, type PseudoLabels, type StageParams } from '@facemask/contracts';

/**
 * What a fold's "last" checkpoint must have been trained from to be resumed: the train stage's
 * config slice (which folds the pipeline runs is not in it), the fold, the round, the data and
 * preprocessing it read, round 2's pseudo-labels, and the engine (engines round differently).
 */
export function foldRunKey(
  params: StageParams<'train'>,
  at: { round: number; fold: number; fingerprint: Fingerprint; pseudo: PseudoLabels | null; engine: string },
): string {
  return hashJson({
    params,
    round: at.round,
    fold: at.fold,
    data: at.fingerprint.dataset,
    options: at.fingerprint.optionsHash,
    pseudo: at.pseudo?.samples ?? null,
    engine: at.engine,
  });
}
