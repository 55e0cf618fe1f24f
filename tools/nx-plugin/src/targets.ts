import type { TargetConfiguration } from '@nx/devkit';
import { RECORD_FILES, splitTarget, STAGE_NAMES, stageScript, STAGES, targets, workLayout, type PipelineGraph, type PipelineTask, type StageName, type StageTable } from '@facemask/contracts';
import type { RuntimeClosure } from './closure.ts';

/** How every stage script runs: TypeScript through tsx, workspace packages from their source. */
export const TSX = 'node --import tsx --conditions=source';

/**
 * What each stage's cache key covers beyond code and upstream artifacts, as files the plugin
 * writes: Nx also keys every task on its whole project's configuration, so the config's values
 * must not appear in the targets themselves (a training option would then rerun train:features,
 * and one fold's target would rerun every fold). The runtime inputs read the files instead.
 */
export interface StageKeys {
  /**
   * Per stage, the file holding its config slice (and, on an engine, the engine `auto` picks),
   * as the shell names it from the workspace root: never an absolute path, since the targets
   * are part of every task's key and a key must mean the same on every machine.
   */
  keyFile: Record<string, string>;
  /** The file naming the data root and its sidecar, for preprocess's fingerprint input. */
  fingerprintArgs: string;
  /** The data root's fingerprint when the plugin found it unchanged; absent otherwise. */
  fingerprint: string;
  /** Per stage project, the workspace projects and npm packages its scripts can load. */
  code: Record<string, RuntimeClosure>;
}


// Transitive: a stage reruns whenever anything upstream of it changed, even when its direct input
// happens to come out identical (a hard vote that did not flip), so every artifact downstream of a
// change is rebuilt from it (and carries its lineage). Not the run records and summaries: they hold
// when and how long a task ran, which must not make a rerun of an unchanged stage, or the same fold
// trained on another machine, retrain what follows it.
export const UPSTREAM_FILES = `**/!(${RECORD_FILES.map((f) => f.replace(/\.json$/, '')).join('|')}).json`;
const upstream = { dependentTasksOutputFiles: UPSTREAM_FILES, transitive: true };

/** The stages that run a model, whose results depend on the engine (from their declarations). */
export const ON_ENGINE: readonly StageName[] = STAGE_NAMES.filter((s) => STAGES[s].engine);

/**
 * The code a stage task runs: the runtime sources of every workspace project its package loads
 * (`runtime` in nx.json: no tests, test helpers or benches). The versions of the npm packages
 * they load are in the stage's key file (see the plugin). Not Nx's `^production` nor the
 * lockfile: those move with devDependencies and with any package added to the workspace; and
 * an empty externalDependencies, or Nx would hash every npm package of the workspace.
 */
function codeInputs(closure: RuntimeClosure): NonNullable<TargetConfiguration['inputs']> {
  return [{ input: 'runtime', projects: closure.projects }, { externalDependencies: [] }];
}

function inputs(stage: string, keys: StageKeys, hasUpstream: boolean, stages: StageTable): NonNullable<TargetConfiguration['inputs']> {
  const spec = stages[stage]!;
  const closure = keys.code[spec.project];
  if (!closure) throw new Error(`no runtime closure for the project of stage ${stage}`);
  return [
    ...codeInputs(closure),
    // The plugin parsed the config once and wrote the stage's slice to this file.
    { runtime: `cat "${keys.keyFile[stage]}"` },
    // The photos live outside what Nx hashes: preprocess and detect key on the data root's fingerprint.
    // The plugin's answer when the data is unchanged, else the full fingerprint (same value either way).
    ...(stage === 'preprocess' || stage === 'detect'
      ? [{ runtime: `cat "${keys.fingerprint}" 2>/dev/null || ${TSX} packages/preprocess/src/fingerprint-main.ts "${keys.fingerprintArgs}"` }]
      : []),
    ...(spec.engine ? [{ env: 'TFJS_BACKEND' }] : []),
    ...(hasUpstream ? [upstream] : []),
  ];
}

function dependsOn(ids: readonly string[]): TargetConfiguration['dependsOn'] {
  return ids.map((id) => {
    const { project, target } = splitTarget(id);
    return { projects: [project], target };
  });
}

function taskTarget(task: PipelineTask, keys: StageKeys, stages: StageTable): TargetConfiguration {
  return {
    executor: 'nx:run-commands',
    options: { command: [TSX, stageScript(task.stage, stages), ...task.args].join(' '), cwd: '{workspaceRoot}' },
    cache: true,
    dependsOn: dependsOn(task.dependsOn),
    inputs: inputs(task.stage, keys, task.dependsOn.length > 0, stages),
    outputs: task.outputs.map((o) => `{workspaceRoot}/${o}`),
    metadata: { description: task.description },
  };
}

/** The Nx targets of every pipeline project: one per task, the groups, and train:fold. */
export function nxTargets(graph: PipelineGraph, keys: StageKeys, stages: StageTable = STAGES): Record<string, Record<string, TargetConfiguration>> {
  const out: Record<string, Record<string, TargetConfiguration>> = {};
  const add = (id: string, t: TargetConfiguration) => {
    const { project, target } = splitTarget(id);
    (out[project] ??= {})[target] = t;
  };
  for (const task of graph.tasks) add(task.id, taskTarget(task, keys, stages));
  for (const g of graph.groups) add(g.id, { executor: 'nx:noop', dependsOn: dependsOn(g.dependsOn), metadata: { description: g.description } });
  add(targets.trainAnyFold, {
    executor: 'nx:run-commands',
    options: { command: `${TSX} ${stageScript('train')}`, cwd: '{workspaceRoot}', round: 1 },
    cache: true,
    // round 1's upstream, as the graph's own fold tasks: preprocess, and the features in features mode
    dependsOn: dependsOn([targets.preprocess, ...graph.tasks.filter((t) => t.id === targets.trainFeatures).map((t) => t.id)]),
    inputs: inputs('train', keys, true, stages),
    outputs: [`{workspaceRoot}/${workLayout.foldTemplate(graph.work)}`],
    metadata: { description: 'Train one fold: nx run train:fold --fold=2 [--round=1]' },
  });
  return out;
}
