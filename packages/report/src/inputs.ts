import {
  ensembleArtifacts,
  foldArtifacts,
  lastRound,
  pseudoLabelsArtifact,
  readArtifact,
  readEpochLog,
  readPreprocessSummary,
  readSamples,
  targets,
  trainedFolds,
  trainingRounds,
  workLayout,
  type EnsembleReport,
  type EpochRecord,
  type FoldSummary,
  type Predictions,
  type PreprocessSummary,
  type PseudoLabels,
  type Round,
  type Samples,
  type Scores,
} from '@facemask/contracts';
import { readAnswers, scoreSubmission } from '@facemask/submit';
import type { DetectionSummary } from './detection.ts';
import { absent, exists, load, type Loaded } from './loaded.ts';
import type { ReportParams } from './params.ts';
import { readTaskRuns, type TaskRun } from './run-records.ts';

export interface FoldTraining {
  round: Round;
  fold: number;
  dir: string;
  /** metrics.jsonl: one record per epoch. */
  history: Loaded<EpochRecord[]>;
  summary: Loaded<FoldSummary>;
}

export interface RoundInputs {
  round: Round;
  folds: FoldTraining[];
  /** The ensemble of the round's folds. */
  report: Loaded<EnsembleReport>;
  oof: Loaded<Predictions>;
}

export interface SubmissionInputs {
  path: string;
  /** The round whose ensemble the submission was written from. */
  round: Round;
  /** ImageID -> submitted class. */
  answers: Loaded<Map<string, number>>;
  /** Against config.data.evalLabels; null when the config names no eval labels. */
  score: Loaded<Scores> | null;
}

/** Everything the page is made from; each artifact either read or the reason it is missing. */
export interface RunInputs {
  config: ReportParams;
  /** data.work, where every artifact is read from. */
  work: string;
  summary: Loaded<PreprocessSummary>;
  samples: Loaded<Samples>;
  /** Round 1, and round 2 when pseudo-labelling is on. */
  rounds: RoundInputs[];
  /** null when pseudo-labelling is off (round 2 does not run). */
  pseudo: Loaded<PseudoLabels> | null;
  submission: SubmissionInputs;
  /** The run record of every task. */
  taskRuns: TaskRun[];
  /** The face-detection summary, when that stage ran. */
  detection: DetectionSummary | null;
}

async function readFold(work: string, round: Round, fold: number): Promise<FoldTraining> {
  const paths = workLayout.fold(work, round, fold);
  const target = targets.trainFold(round, fold);
  if (!(await exists(paths.dir))) {
    const problem = `round ${round} fold ${fold} did not train: ${paths.dir} does not exist: run \`nx run ${target}\``;
    return { round, fold, dir: paths.dir, history: absent(problem), summary: absent(problem) };
  }
  const history = await load(async () => {
    const records = await readEpochLog(paths.metrics);
    if (records.length === 0) throw new Error(`round ${round} fold ${fold} has no metrics: ${paths.metrics} is missing or empty: run \`nx run ${target}\``);
    return records;
  });
  const summary = await load(() => readArtifact(foldArtifacts(round, fold).summary, paths.summary));
  return { round, fold, dir: paths.dir, history, summary };
}

async function readRound(params: ReportParams, work: string, round: Round): Promise<RoundInputs> {
  const folds: FoldTraining[] = [];
  for (const k of trainedFolds(params)) folds.push(await readFold(work, round, k));
  const specs = ensembleArtifacts(round);
  const paths = workLayout.ensemble(work, round);
  return { round, folds, report: await load(() => readArtifact(specs.report, paths.report)), oof: await load(() => readArtifact(specs.oof, paths.oof)) };
}

async function readSubmission(params: ReportParams, work: string): Promise<SubmissionInputs> {
  const path = workLayout.submission(work).csv;
  const round = lastRound(params);
  const labels = params.data.evalLabels;
  if (!(await exists(path))) {
    const problem = `submission not found at ${path}: run \`nx run ${targets.submit}\``;
    return { path, round, answers: absent(problem), score: labels ? absent(problem) : null };
  }
  const answers = await load(() => readAnswers(path, 'submission'));
  const score = labels ? await load(() => scoreSubmission(path, labels)) : null;
  return { path, round, answers, score };
}

export interface ReadOptions {
  detection?: DetectionSummary | null;
}

/** Reads every artifact of the run under `work`; never throws for a missing or invalid one. */
export async function readRunInputs(params: ReportParams, work: string, opts: ReadOptions = {}): Promise<RunInputs> {
  const rounds: RoundInputs[] = [];
  for (const round of trainingRounds(params)) rounds.push(await readRound(params, work, round));
  return {
    config: params,
    work,
    summary: await load(() => readPreprocessSummary(work)),
    samples: await load(() => readSamples(work)),
    rounds,
    pseudo: params.pseudo.enabled ? await load(() => readArtifact(pseudoLabelsArtifact, workLayout.pseudoLabel(work).samples)) : null,
    submission: await readSubmission(params, work),
    taskRuns: await readTaskRuns(params, work),
    detection: opts.detection ?? null,
  };
}

/** Every problem of the inputs, one line each, in page order, without repeats. */
export function missingPieces(inputs: RunInputs): string[] {
  const out: string[] = [];
  const add = (l: Loaded<unknown> | null) => {
    if (l && !l.ok) out.push(l.problem);
  };
  add(inputs.summary);
  add(inputs.samples);
  for (const t of inputs.taskRuns) add(t.record);
  for (const r of inputs.rounds) {
    for (const f of r.folds) {
      add(f.history);
      add(f.summary);
    }
    add(r.report);
    add(r.oof);
  }
  add(inputs.pseudo);
  add(inputs.submission.answers);
  add(inputs.submission.score);
  return [...new Set(out)];
}
