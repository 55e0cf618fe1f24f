import {
  dataFile,
  configPathNote,
  ensembleArtifacts,
  foldArtifacts,
  lastRound,
  pseudoLabelsArtifact,
  readArtifact,
  readAnswers,
  readEpochLog,
  readEvalList,
  readPreprocessSummary,
  readSamples,
  scoreSubmission,
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
  /** The submitted round's eval probabilities with the eval labels, for the worst eval photos; null without labels. */
  labelled?: Loaded<LabelledEval> | null;
}

export interface LabelledEval {
  /** The eval photos the labels cover, in the ensemble's order, `labels` filled in from them. */
  predictions: Predictions;
  /** ImageID -> photo file (preprocess's eval list). */
  paths: Map<string, string>;
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
  if (!labels) return { path, round, answers, score: null, labelled: null };
  if (!(await exists(labels))) {
    const problem = `eval labels not found: data.evalLabels ${labels} does not exist${configPathNote()}`;
    return { path, round, answers, score: absent(problem), labelled: absent(problem) };
  }
  const score = await load(() => scoreSubmission(path, labels));
  return { path, round, answers, score, labelled: await load(() => readLabelledEval(work, params.data.root, round, labels)) };
}

/** `root`: the data root the eval list names its photos relative to. */
async function readLabelledEval(work: string, root: string, round: Round, labels: string): Promise<LabelledEval> {
  const preds = await readArtifact(ensembleArtifacts(round).eval, workLayout.ensemble(work, round).eval);
  const truth = await readAnswers(labels, 'labels file');
  const rows = preds.ids.flatMap((id, row) => (truth.has(id) ? [row] : []));
  const n = preds.numClasses;
  const predictions: Predictions = {
    ...preds,
    ids: rows.map((r) => preds.ids[r]!),
    probs: rows.flatMap((r) => preds.probs.slice(r * n, (r + 1) * n)),
    labels: rows.map((r) => truth.get(preds.ids[r]!)!),
  };
  const list = await readEvalList(work);
  return { predictions, paths: new Map(list.images.map((e) => [e.ImageID, dataFile(root, e.path)])) };
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
  add(inputs.submission.labelled ?? null);
  return [...new Set(out)];
}
