import { isAbsolute, relative, resolve } from 'node:path';
import type { PipelineConfig } from './config/schema.ts';
import { workLayout } from './layout.ts';
import { trainedFolds, trainingRounds, lastRound, type StageName } from './stages.ts';
import { splitTarget, targets } from './targets.ts';

/**
 * The pipeline's task graph for a config:
 *   [detect ->] preprocess -> train round 1 (a task per fold) -> ensemble round 1
 *     [-> pseudo-label -> train round 2 (a task per fold) -> ensemble round 2] -> submit
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
  folds: number[];
  rounds: number[];
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
  const tasks: PipelineTask[] = [];
  const groups: GroupTask[] = [];
  // Detection runs only for a face crop; it reads the photos, not preprocess's output.
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
  for (const round of rounds) {
    const upstream = round === 1 ? [targets.preprocess] : [targets.preprocess, targets.pseudoLabel];
    for (const fold of folds) {
      tasks.push({
        id: targets.trainFold(round, fold),
        stage: 'train',
        args: ['--round', String(round), '--fold', String(fold)],
        dependsOn: upstream,
        outputs: [workLayout.fold(work, round, fold).dir],
        description: `Train fold ${fold} of round ${round}`,
      });
    }
    groups.push({ id: targets.trainRound(round), dependsOn: folds.map((f) => targets.trainFold(round, f)), description: `Every fold of round ${round}` });
    tasks.push({
      id: targets.ensemble(round),
      stage: 'ensemble',
      args: ['--round', String(round)],
      dependsOn: folds.map((f) => targets.trainFold(round, f)),
      outputs: [workLayout.ensemble(work, round).dir],
      description: `Vote over the folds of round ${round}`,
    });
    if (round === 1 && rounds.includes(2)) {
      tasks.push({
        id: targets.pseudoLabel,
        stage: 'pseudo-label',
        args: [],
        dependsOn: [targets.ensemble(1)],
        outputs: [workLayout.pseudoLabel(work).dir],
        description: 'Confident eval predictions as extra training samples',
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
  return { work, folds, rounds, tasks, groups };
}

/** The tasks of one project, keyed by target name. */
export function projectTasks(graph: PipelineGraph, project: string): { tasks: Map<string, PipelineTask>; groups: Map<string, GroupTask> } {
  const mine = <T extends { id: string }>(xs: T[]) => new Map(xs.filter((t) => splitTarget(t.id).project === project).map((t) => [splitTarget(t.id).target, t]));
  return { tasks: mine(graph.tasks), groups: mine(graph.groups) };
}

/** The stages in the order the graph runs them, e.g. "preprocess -> train round 1 (4 folds) -> ensemble round 1 -> submit". */
export function describeGraph(graph: PipelineGraph): string {
  const steps: string[] = [];
  for (const t of graph.tasks) {
    const { project, target } = splitTarget(t.id);
    const round = /^round(\d)/.exec(target)?.[1];
    const name = round ? `${project} round ${round}` : project;
    if (project === 'train') {
      const label = `${name} (${graph.folds.length} fold${graph.folds.length === 1 ? '' : 's'})`;
      if (steps[steps.length - 1] !== label) steps.push(label);
    } else steps.push(name);
  }
  return steps.join(' -> ');
}
