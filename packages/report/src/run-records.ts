import { lastRound, readArtifact, runRecordArtifact, targets, trainedFolds, trainingRounds, workLayout, type RunRecord } from '@facemask/contracts';
import { exists, load, type Loaded } from './loaded.ts';
import type { ReportParams } from './params.ts';

/**
 * The run record (`run.json`) every pipeline task writes beside its artifacts: which engine ran
 * and how long each task took. A task run outside the stage CLIs (a test calling a run function)
 * writes none: that task is "not recorded", which is not a missing artifact.
 */
export interface TaskRun {
  /** The Nx target, e.g. "train:round1-fold-2". */
  target: string;
  path: string;
  /** null: no run.json there. */
  record: Loaded<RunRecord> | null;
}

type GraphParams = Pick<ReportParams, 'pseudo' | 'train' | 'preprocess'>;

/** Every task of the run's graph, in the order the pipeline runs them, with the path of its run record. */
export function taskRunPaths(params: GraphParams, work: string): { target: string; path: string }[] {
  const out: { target: string; path: string }[] = [{ target: targets.preprocess, path: workLayout.preprocess(work).run }];
  const folds = trainedFolds(params);
  for (const round of trainingRounds(params)) {
    for (const fold of folds) out.push({ target: targets.trainFold(round, fold), path: workLayout.fold(work, round, fold).run });
    out.push({ target: targets.ensemble(round), path: workLayout.ensemble(work, round).run });
    if (round === 1 && lastRound(params) === 2) out.push({ target: targets.pseudoLabel, path: workLayout.pseudoLabel(work).run });
  }
  out.push({ target: targets.submit, path: workLayout.submission(work).run });
  return out;
}

/** The run record of every task; an invalid one keeps its error (it goes to the missing list). */
export async function readTaskRuns(params: GraphParams, work: string): Promise<TaskRun[]> {
  const out: TaskRun[] = [];
  for (const t of taskRunPaths(params, work)) {
    const record = (await exists(t.path)) ? await load(() => readArtifact({ ...runRecordArtifact, producedBy: t.target }, t.path)) : null;
    out.push({ ...t, record });
  }
  return out;
}
