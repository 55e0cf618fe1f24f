import { isAbsolute, relative, resolve } from 'node:path';
import type { PipelineConfig } from './config/schema.ts';
import { workLayout } from './layout.ts';
import { trainedFolds, trainingRounds, lastRound, STAGES, type StageName } from './stages.ts';
import { ROUNDS, targets } from './targets.ts';

/**
 * The pipeline's task graph for a config:
 *   [detect ->] preprocess [-> train features] -> train round 1 (a task per fold) -> ensemble
 *     round 1 -> pseudo-label -> train round 2 (a task per fold) -> ensemble round 2 -> submit -> report
 * The Nx plugin turns each task into a target; nothing else lays the graph out.
 */
export interface PipelineTask {
  /** "project:target", e.g. "train:round1-fold-2". */
  id: string;
  stage: StageName;
  /** Arguments of the stage's CLI (packages/<stage>/src/main.ts). */
  args: string[];
  dependsOn: string[];
  /** Folders the task writes, relative to the workspace root. */
  outputs: string[];
  description: string;
}

/** A target that only groups others (e.g. every fold of a round). */
export interface GroupTask {
  id: string;
  dependsOn: string[];
  description: string;
}

export interface PipelineGraph {
  /** data.work relative to the workspace root (Nx caches only outputs inside it). */
  work: string;
  /** The folds the pipeline trains (train.folds) and the rounds it runs (2 with pseudo-labelling). */
  folds: number[];
  rounds: number[];
  /** Every task that exists; `nx run submit:run` runs those submit depends on. */
  tasks: PipelineTask[];
  groups: GroupTask[];
}

export function workRelative(cfg: Pick<PipelineConfig, 'data'>, workspaceRoot: string): string {
  const abs = isAbsolute(cfg.data.work) ? cfg.data.work : resolve(workspaceRoot, cfg.data.work);
  const work = relative(workspaceRoot, abs);
  if (work.startsWith('..') || isAbsolute(work)) {
    throw new Error(`data.work (${cfg.data.work}) must be inside the workspace (${workspaceRoot}): Nx caches only outputs inside it`);
  }
  return work.split('\\').join('/');
}

export function pipelineGraph(cfg: PipelineConfig, workspaceRoot: string): PipelineGraph {
  const work = workRelative(cfg, workspaceRoot);
  const folds = trainedFolds(cfg);
  const rounds = trainingRounds(cfg);
  // Nx keys every task on its whole project's configuration, so the SET of targets depends only
  // on what changes every task anyway (the fold count, the training mode): every fold of both
  // rounds always exists, and which of them run is up to what depends on them (ensemble on
  // train.folds, submit on the last round). Adding a fold, or switching pseudo-labelling on,
  // then reruns no fold already trained.
  const allFolds = Array.from({ length: cfg.preprocess.folds }, (_, k) => k);
  const tasks: PipelineTask[] = [];
  const groups: GroupTask[] = [];
  // Detection runs only for a face crop; it reads the photos, not preprocess's output. Its
  // presence may vary with the config: switching the face crop changes every task downstream.
  const faceCrop = cfg.preprocess.faceCrop !== null;
  if (faceCrop) {
    tasks.push({
      id: targets.detect,
      stage: 'detect',
      args: [],
      dependsOn: [],
      outputs: [workLayout.detect(work).dir],
      description: 'Faces in every train and eval photo, for the face crop',
    });
  }
  tasks.push({
    id: targets.preprocess,
    stage: 'preprocess',
    args: [],
    dependsOn: faceCrop ? [targets.detect] : [],
    outputs: [workLayout.preprocess(work).dir],
    description: 'Labels, folds, image cache and fingerprint of the data root',
  });
  // train.mode "features": the backbone's features are computed once, by one task, for every fold.
  const features = cfg.train.mode === 'features' ? [targets.trainFeatures] : [];
  if (features.length) {
    tasks.push({
      id: targets.trainFeatures,
      stage: 'features',
      args: [],
      dependsOn: [targets.preprocess],
      outputs: [workLayout.features(work).dir],
      description: 'Pooled backbone features of every cached photo (train.mode "features")',
    });
  }
  for (const round of ROUNDS) {
    const upstream = [targets.preprocess, ...features, ...(round === 2 ? [targets.pseudoLabel] : [])];
    for (const fold of allFolds) {
      tasks.push({
        id: targets.trainFold(round, fold),
        stage: 'train',
        args: ['--round', String(round), '--fold', String(fold)],
        dependsOn: upstream,
        outputs: [workLayout.fold(work, round, fold).dir],
        description: `Train fold ${fold} of round ${round}`,
      });
    }
    groups.push({ id: targets.trainRound(round), dependsOn: allFolds.map((f) => targets.trainFold(round, f)), description: `Every fold of round ${round}` });
    tasks.push({
      id: targets.ensemble(round),
      stage: 'ensemble',
      args: ['--round', String(round)],
      dependsOn: folds.map((f) => targets.trainFold(round, f)),
      outputs: [workLayout.ensemble(work, round).dir],
      description: `Vote over the folds of round ${round}`,
    });
    if (round === 1) {
      tasks.push({
        id: targets.pseudoLabel,
        stage: 'pseudo-label',
        args: [],
        dependsOn: [targets.ensemble(1)],
        outputs: [workLayout.pseudoLabel(work).dir],
        description: 'Confident eval predictions as extra training samples (round 2 trains on them)',
      });
    }
  }
  tasks.push({
    id: targets.submit,
    stage: 'submit',
    // submit's CLI has subcommands; the round it submits comes from its params (lastRound).
    args: ['write'],
    dependsOn: [targets.ensemble(lastRound(cfg))],
    outputs: [workLayout.submission(work).dir],
    description: 'Write submission.csv in info.csv order',
  });
  tasks.push({
    id: targets.report,
    stage: 'report',
    args: [],
    // It reads every artifact of the run; submit is downstream of all of them (and its key,
    // transitively, of theirs), while unused targets (folds not trained, round 2 without
    // pseudo-labels) must not run.
    dependsOn: [targets.submit],
    outputs: [workLayout.report(work).dir],
    description: 'A static page of the run (learning curves, confusion matrices, worst photos)',
  });
  return { work, folds, rounds, tasks, groups };
}

/** A stage's CLI script, relative to the workspace root: what its task runs (through tsx). */
export function stageScript(stage: StageName): string {
  return `packages/${STAGES[stage].project}/src/${STAGES[stage].script ?? 'main.ts'}`;
}

/** The tasks `nx run <id>` runs: `id` and what it depends on, directly or not, in graph order. */
export function tasksRunBy(graph: PipelineGraph, id: string): PipelineTask[] {
  const byId = new Map(graph.tasks.map((t) => [t.id, t]));
  if (!byId.has(id)) throw new Error(`no task ${id} in the pipeline graph`);
  const needed = new Set<string>();
  const visit = (t: string) => {
    if (needed.has(t)) return;
    needed.add(t);
    for (const d of byId.get(t)?.dependsOn ?? []) visit(d);
  };
  visit(id);
  return graph.tasks.filter((t) => needed.has(t.id));
}
