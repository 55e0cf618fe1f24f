import { dirname, join } from 'node:path';
import type { CreateNodesContextV2, CreateNodesResultV2 } from '@nx/devkit';
import { hashJson, loadStageConfig, pipelineGraph, STAGE_NAMES, stageParams, workLayout, type StageName } from '@facemask/contracts';
import { autoEngine } from '@facemask/engine/probe';
import { modelIdentities } from '@facemask/face-detect/identity';
import { nxTargets, TSX, type StageKeys } from './targets.ts';

/**
 * Lays out the pipeline's task graph for the config $FACEMASK_CONFIG names (default: the demo
 * config) on the stage projects under packages/. The config is parsed once, here; each stage's
 * cache key takes the hash of its config slice (contracts' STAGES), so a change reruns exactly
 * the stages that read it and what is downstream of them. No tfjs is loaded.
 */
export async function createNodes(files: readonly string[], _options: unknown, context: CreateNodesContextV2): Promise<CreateNodesResultV2> {
  const cfg = await loadStageConfig(undefined, context.workspaceRoot);
  const graph = pipelineGraph(cfg, context.workspaceRoot);
  // Beyond its slice: train keys on the engine auto picks; detect on the weights its detectors load
  // (package, version, file hashes), read only when the graph detects faces.
  const detects = graph.tasks.some((t) => t.stage === 'detect');
  const extra: Partial<Record<StageName, object>> = {
    train: { auto: autoEngine() },
    ...(detects ? { detect: { models: await modelIdentities(cfg.detect) } } : {}),
  };
  const params = Object.fromEntries(
    STAGE_NAMES.map((s) => [s, hashJson(extra[s] ? { params: stageParams(cfg, s), ...extra[s] } : stageParams(cfg, s))]),
  ) as Record<StageName, string>;
  const sidecar = join(context.workspaceRoot, workLayout.fingerprintSidecar(graph.work));
  const keys: StageKeys = {
    params,
    fingerprintCommand: `${TSX} packages/preprocess/src/fingerprint-main.ts ${JSON.stringify(cfg.data.root)} ${JSON.stringify(sidecar)}`,
  };
  const byProject = nxTargets(graph, keys);
  return files.map((file) => {
    const root = dirname(file);
    const project = root.split('/').pop() as string;
    return [file, { projects: { [root]: { targets: byProject[project] ?? {} } } }] as const;
  });
}
