import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { pseudoLabelsArtifact, pseudoLabelsPath, readArtifact, type PipelineConfig, type PseudoLabels } from '@facemask/core';
import { ensembleArtifacts, ensemblePaths, type EnsembleReport, type Predictions, type Round, type Scores } from '@facemask/ensemble';
import { readSamples, readSummary, type PreprocessSummary, type Samples } from '@facemask/preprocess';
import { readAnswers, scoreSubmission, submissionPath } from '@facemask/submit';
import { foldDir, foldFiles, foldSummaryArtifact, readEpochLog, type EpochRecord, type FoldSummary } from '@facemask/train';
import type { DetectionSummary } from './detection.ts';
import { absent, load, type Loaded } from './loaded.ts';
import { readStageRuns, type StageRuns } from './stage-run.ts';

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
  config: PipelineConfig;
  summary: Loaded<PreprocessSummary>;
  samples: Loaded<Samples>;
  /** Round 1, and round 2 when pseudo-labelling is on. */
  rounds: RoundInputs[];
  /** null when pseudo-labelling is off (round 2 does not run). */
  pseudo: Loaded<PseudoLabels> | null;
  submission: SubmissionInputs;
  stageRuns: StageRuns;
  /** The face-detection summary, when that stage ran. */
  detection: DetectionSummary | null;
}

/** The folds a round trains: config.train.folds, else every fold of preprocess.folds. */
export function expectedFolds(config: PipelineConfig): number[] {
  const folds = config.train.folds ?? Array.from({ length: config.preprocess.folds }, (_, k) => k);
  return [...new Set(folds)].sort((a, b) => a - b);
}

/** The ensemble round the submission comes from (submit's default). */
export function submittedRound(config: PipelineConfig): Round {
  return config.pseudo.enabled ? 2 : 1;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function readFold(work: string, round: Round, fold: number): Promise<FoldTraining> {
  const dir = foldDir(work, round, fold);
  const target = `train:round${round}`;
  if (!(await exists(dir))) {
    const problem = `round ${round} fold ${fold} did not train: ${dir} does not exist: run \`nx run ${target}\``;
    return { round, fold, dir, history: absent(problem), summary: absent(problem) };
  }
  const metrics = join(dir, foldFiles.metrics);
  const history = await load(async () => {
    const records = await readEpochLog(metrics);
    if (records.length === 0) throw new Error(`round ${round} fold ${fold} has no metrics: ${metrics} is missing or empty: run \`nx run ${target}\``);
    return records;
  });
  const summary = await load(() => readArtifact({ ...foldSummaryArtifact, producedBy: target }, join(dir, foldFiles.summary)));
  return { round, fold, dir, history, summary };
}

async function readRound(config: PipelineConfig, round: Round): Promise<RoundInputs> {
  const work = config.data.work;
  const folds: FoldTraining[] = [];
  for (const k of expectedFolds(config)) folds.push(await readFold(work, round, k));
  const specs = ensembleArtifacts(round);
  const paths = ensemblePaths(work, round);
  return { round, folds, report: await load(() => readArtifact(specs.report, paths.report)), oof: await load(() => readArtifact(specs.oof, paths.oof)) };
}

async function readSubmission(config: PipelineConfig): Promise<SubmissionInputs> {
  const path = submissionPath(config.data.work);
  const round = submittedRound(config);
  if (!(await exists(path))) {
    const problem = `submission not found at ${path}: run \`nx run submit:run\``;
    return { path, round, answers: absent(problem), score: config.data.evalLabels ? absent(problem) : null };
  }
  const answers = await load(() => readAnswers(path, 'submission'));
  const labels = config.data.evalLabels;
  const score = labels ? await load(() => scoreSubmission(path, labels)) : null;
  return { path, round, answers, score };
}

export interface ReadOptions {
  detection?: DetectionSummary | null;
}

/** Reads every artifact of the run under config.data.work; never throws for a missing or invalid one. */
export async function readRunInputs(config: PipelineConfig, opts: ReadOptions = {}): Promise<RunInputs> {
  const work = config.data.work;
  const rounds = [await readRound(config, 1)];
  if (config.pseudo.enabled) rounds.push(await readRound(config, 2));
  return {
    config,
    summary: await load(() => readSummary(work)),
    samples: await load(() => readSamples(work)),
    rounds,
    pseudo: config.pseudo.enabled ? await load(() => readArtifact(pseudoLabelsArtifact, pseudoLabelsPath(work))) : null,
    submission: await readSubmission(config),
    stageRuns: await readStageRuns(work),
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
  out.push(...inputs.stageRuns.problems);
  return [...new Set(out)];
}
