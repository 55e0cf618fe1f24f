import { isAbsolute, relative, resolve } from 'node:path';
import type { PipelineConfig } from './config/schema.ts';
import { trainedFolds, trainingRounds, STAGES, type GraphContext, type StageName, type StageSpec, type StageTable, type StageTask } from './stages.ts';

/**
 * The pipeline's task graph for a config:
 *   [detect ->] preprocess [-> train features] -> train round 1 (a task per fold) -> ensemble
 *     round 1 -> pseudo-label -> train round 2 (a task per fold) -> ensemble round 2 -> submit -> report
 * laid out from the stages' declarations (contracts' STAGES): the Nx plugin turns each task
 * into a target, the report lists their run records, the fault harness kills them.
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

export function pipelineGraph(cfg: PipelineConfig, workspaceRoot: string, stages: StageTable = STAGES): PipelineGraph {
  return graphFor(cfg, workRelative(cfg, workspaceRoot), stages);
}

/**
 * The graph for a config with its work folder at `work`: every stage's declared tasks, each
 * depending on the tasks that write the folders it reads, in an order Nx could run them.
 */
export function graphFor(cfg: PipelineConfig, work: string, stages: StageTable = STAGES): PipelineGraph {
  const folds = trainedFolds(cfg);
  const rounds = trainingRounds(cfg);
  // Nx keys every task on its whole project's configuration, so the SET of targets depends only
  // on what changes every task anyway (the fold count, the training mode): every fold of both
  // rounds always exists, and which of them run is up to what depends on them (ensemble on
  // train.folds, submit on the last round). Adding a fold, or switching pseudo-labelling on,
  // then reruns no fold already trained.
  const ctx: GraphContext = { cfg, work, allFolds: Array.from({ length: cfg.preprocess.folds }, (_, k) => k), folds };
  const declared = Object.entries(stages).flatMap(([stage, spec]) =>
    spec.tasks(ctx).map((t) => ({ ...t, stage, id: `${spec.project}:${t.target}`, description: describe(spec, t) })),
  );
  // What the run's readers (the report) follow: outputs no other task reads, of tasks that run.
  const read = new Set(declared.flatMap((t) => t.reads));
  const sinks = declared.filter((t) => !t.onDemand && !read.has(t.writes));
  for (const t of declared) {
    if (stages[t.stage]!.readsRun) t.reads = [...t.reads, ...sinks.filter((s) => s.stage !== t.stage).map((s) => s.writes)];
  }
  const writer = new Map<string, string>();
  for (const t of declared) {
    const other = writer.get(t.writes);
    if (other) throw new Error(`${t.id} and ${other} both write ${t.writes}`);
    writer.set(t.writes, t.id);
  }
  const tasks: PipelineTask[] = declared.map((t) => ({
    id: t.id,
    stage: t.stage as StageName,
    args: t.args,
    dependsOn: t.reads.map((r) => {
      const w = writer.get(r);
      if (!w) throw new Error(`${t.id} reads ${r}, which no task of this graph writes`);
      return w;
    }),
    outputs: [t.writes],
    description: t.description,
  }));
  const groups = Object.values(stages).flatMap((spec) =>
    (spec.groups?.(ctx) ?? []).map((g) => ({ id: `${spec.project}:${g.target}`, dependsOn: g.members.map((m) => `${spec.project}:${m}`), description: g.description })),
  );
  return { work, folds, rounds, tasks: runOrder(tasks), groups };
}

function describe(spec: StageSpec<unknown>, t: StageTask): string {
  const text = spec.description.charAt(0).toUpperCase() + spec.description.slice(1);
  return t.instance ? `${text} (${t.instance})` : text;
}

/** The tasks in an order where each follows what it depends on; ties keep the declared order. */
function runOrder(tasks: PipelineTask[]): PipelineTask[] {
  const done = new Set<string>();
  const out: PipelineTask[] = [];
  const left = [...tasks];
  while (left.length) {
    const i = left.findIndex((t) => t.dependsOn.every((d) => done.has(d)));
    if (i < 0) throw new Error(`the stage declarations form a cycle among ${left.map((t) => t.id).join(', ')}`);
    const [t] = left.splice(i, 1);
    out.push(t!);
    done.add(t!.id);
  }
  return out;
}

/** A stage's CLI script, relative to the workspace root: what its task runs (through tsx). */
export function stageScript(stage: string, stages: StageTable = STAGES): string {
  const spec = stages[stage];
  if (!spec) throw new Error(`no stage ${stage}`);
  return `packages/${spec.project}/src/${spec.script ?? 'main.ts'}`;
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
