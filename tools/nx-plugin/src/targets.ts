import type { TargetConfiguration } from '@nx/devkit';
import { splitTarget, STAGES, targets, workLayout, type PipelineGraph, type PipelineTask, type StageName } from '@facemask/contracts';

/** How every stage script runs: TypeScript through tsx, workspace packages from their source. */
export const TSX = 'node --import tsx --conditions=source';

/** What each stage's cache key covers beyond code and upstream artifacts. */
export interface StageKeys {
  /** Hash of each stage's config slice (and, for train, the engine `auto` picks). */
  params: Record<StageName, string>;
  /** The command printing the data root's fingerprint: the photos preprocess and detect read, outside the workspace. */
  fingerprintCommand: string;
}

const code = ['production', '^production'];
// Transitive: a stage reruns whenever anything upstream of it changed, even when its direct input
// happens to come out identical (a hard vote that did not flip), so every artifact downstream of a
// change is rebuilt from it (and carries its lineage).
const upstream = { dependentTasksOutputFiles: '**/*.json', transitive: true };

export function stageScript(stage: StageName): string {
  return `packages/${STAGES[stage].project}/src/main.ts`;
}

function inputs(stage: StageName, keys: StageKeys, hasUpstream: boolean): NonNullable<TargetConfiguration['inputs']> {
  return [
    ...code,
    // A literal in the key: the plugin parsed the config once and hashed the stage's slice.
    { runtime: `echo ${stage} params ${keys.params[stage]}` },
    // the photos: preprocess caches them, detect finds their faces
    ...(stage === 'preprocess' || stage === 'detect' ? [{ runtime: keys.fingerprintCommand }] : []),
    ...(stage === 'train' ? [{ env: 'TFJS_BACKEND' }] : []),
    ...(hasUpstream ? [upstream] : []),
  ];
}

function dependsOn(ids: readonly string[]): TargetConfiguration['dependsOn'] {
  return ids.map((id) => {
    const { project, target } = splitTarget(id);
    return { projects: [project], target };
  });
}

function taskTarget(task: PipelineTask, keys: StageKeys): TargetConfiguration {
  return {
    executor: 'nx:run-commands',
    options: { command: [TSX, stageScript(task.stage), ...task.args].join(' '), cwd: '{workspaceRoot}' },
    cache: true,
    dependsOn: dependsOn(task.dependsOn),
    inputs: inputs(task.stage, keys, task.dependsOn.length > 0),
    outputs: task.outputs.map((o) => `{workspaceRoot}/${o}`),
    metadata: { description: task.description },
  };
}

/** The Nx targets of every pipeline project: one per task, the groups, and train:fold. */
export function nxTargets(graph: PipelineGraph, keys: StageKeys): Record<string, Record<string, TargetConfiguration>> {
  const out: Record<string, Record<string, TargetConfiguration>> = {};
  const add = (id: string, t: TargetConfiguration) => {
    const { project, target } = splitTarget(id);
    (out[project] ??= {})[target] = t;
  };
  for (const task of graph.tasks) add(task.id, taskTarget(task, keys));
  for (const g of graph.groups) add(g.id, { executor: 'nx:noop', dependsOn: dependsOn(g.dependsOn), metadata: { description: g.description } });
  add(targets.trainAnyFold, {
    executor: 'nx:run-commands',
    options: { command: `${TSX} ${stageScript('train')}`, cwd: '{workspaceRoot}', round: 1 },
    cache: true,
    dependsOn: dependsOn([targets.preprocess]),
    inputs: inputs('train', keys, true),
    outputs: [`{workspaceRoot}/${workLayout.foldTemplate(graph.work)}`],
    metadata: { description: 'Train one fold: nx run train:fold --fold=2 [--round=1]' },
  });
  return out;
}
