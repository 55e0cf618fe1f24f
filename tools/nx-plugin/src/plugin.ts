import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CreateNodesContextV2, CreateNodesResultV2 } from '@nx/devkit';
import { loadStageConfig, pipelineGraph, STAGE_NAMES, stableStringify, stageParams, workLayout, writeFileAtomic, type StageName } from '@facemask/contracts';
import { autoEngine } from '@facemask/engine/probe';
import { modelIdentities } from '@facemask/face-detect/identity';
import { fingerprintIfUnchanged } from '@facemask/preprocess/fingerprint';
import { nxTargets, ON_ENGINE, type StageKeys } from './targets.ts';

/** Nx's per-workspace data folder (`pnpm pipeline` gives each config file one of its own). */
export function keysDir(workspaceRoot: string, env: Record<string, string | undefined> = process.env): string {
  return join(env.NX_WORKSPACE_DATA_DIRECTORY ?? join(workspaceRoot, '.nx', 'workspace-data'), 'facemask-keys');
}

/** Writes a key file unless it already holds exactly this (its mtime stays, nothing churns). */
async function writeKey(path: string, text: string): Promise<void> {
  const now = await readFile(path, 'utf8').catch(() => null);
  if (now !== text) await writeFileAtomic(path, text);
}

/**
 * Lays out the pipeline's task graph for the config $FACEMASK_CONFIG names (default: the demo
 * config) on the stage projects under packages/. The config is parsed once, here; each stage's
 * cache key takes its config slice (contracts' STAGES, written to a key file the task's runtime
 * input reads), so a change reruns exactly the stages that read it and what is downstream of
 * them. No tfjs is loaded.
 */
export async function createNodes(files: readonly string[], _options: unknown, context: CreateNodesContextV2): Promise<CreateNodesResultV2> {
  const cfg = await loadStageConfig(undefined, context.workspaceRoot);
  const graph = pipelineGraph(cfg, context.workspaceRoot);
  const dir = keysDir(context.workspaceRoot);
  const keyFile = Object.fromEntries(STAGE_NAMES.map((s) => [s, join(dir, `${s}.json`)])) as Record<StageName, string>;
  // Beyond its slice: a stage on an engine keys on the engine auto picks; detect on the weights its
  // detectors load (package, version, file hashes), read only when the graph detects faces.
  const detects = graph.tasks.some((t) => t.stage === 'detect');
  const models = detects ? await modelIdentities(cfg.detect) : null;
  for (const s of STAGE_NAMES) {
    const key = {
      params: stageParams(cfg, s),
      ...(ON_ENGINE.includes(s) ? { auto: autoEngine() } : {}),
      ...(s === 'detect' && models ? { models } : {}),
    };
    await writeKey(keyFile[s], stableStringify(key) + '\n');
  }
  const fingerprintArgs = join(dir, 'fingerprint-args.json');
  const sidecar = join(context.workspaceRoot, workLayout.fingerprintSidecar(graph.work));
  await writeKey(fingerprintArgs, JSON.stringify({ root: cfg.data.root, sidecar }) + '\n');
  // An unchanged data root's fingerprint, known here from sizes and times alone; gone when
  // anything changed, so the runtime input then runs the full fingerprint (and updates the sidecar).
  const fingerprint = join(dir, 'fingerprint.txt');
  const unchanged = await fingerprintIfUnchanged(cfg.data.root, sidecar);
  if (unchanged) await writeKey(fingerprint, unchanged + '\n');
  else await rm(fingerprint, { force: true });
  const keys: StageKeys = { keyFile, fingerprintArgs, fingerprint };
  const byProject = nxTargets(graph, keys);
  return files.map((file) => {
    const root = dirname(file);
    const project = root.split('/').pop() as string;
    return [file, { projects: { [root]: { targets: byProject[project] ?? {} } } }] as const;
  });
}
