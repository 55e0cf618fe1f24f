import { readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { CreateNodesContextV2, CreateNodesResultV2 } from '@nx/devkit';
import { isNativeEngine, loadStageConfig, nativeThreads, pipelineGraph, STAGE_NAMES, STAGES, stableStringify, stageParams, workLayout, writeFileAtomic, type StageName } from '@facemask/contracts';
import { autoEngine, nativeLibraryOf } from '@facemask/engine/probe';
import { modelIdentities } from '@facemask/face-detect/identity';
import { fingerprintIfUnchanged } from '@facemask/preprocess/fingerprint';
import { installedVersion, readWorkspacePackages, runtimeClosure } from './closure.ts';
import { portableConfig } from './portable.ts';
import { nxTargets, ON_ENGINE, type StageKeys } from './targets.ts';

/**
 * Where the key files live: $FACEMASK_KEYS (`pnpm pipeline` gives each config file a folder of
 * its own, so runs of two configs at once never read each other's), else one folder. Relative
 * to the workspace root, which is where Nx runs runtime inputs.
 */
export const KEYS_ENV = 'FACEMASK_KEYS';
export const DEFAULT_KEYS_DIR = '.nx/facemask-keys/default';
/** The key folder as the runtime inputs' shell names it: the same text on every machine. */
const KEYS_REF = `\${${KEYS_ENV}:-${DEFAULT_KEYS_DIR}}`;

export function keysDir(workspaceRoot: string, env: Record<string, string | undefined> = process.env): string {
  return resolve(workspaceRoot, env[KEYS_ENV] || DEFAULT_KEYS_DIR);
}

/** Where the runtime inputs' shell finds a key file (see KEYS_REF), as a path on this machine. */
export function keyFilePath(workspaceRoot: string, ref: string, env: Record<string, string | undefined> = process.env): string {
  if (!ref.startsWith(KEYS_REF)) throw new Error(`${ref} is not a key file reference`);
  return join(keysDir(workspaceRoot, env), ref.slice(KEYS_REF.length));
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
  const keyFile = Object.fromEntries(STAGE_NAMES.map((s) => [s, `${KEYS_REF}/${s}.json`])) as Record<StageName, string>;
  // Beyond its slice: a stage on an engine keys on the engine auto picks; detect on the weights its
  // detectors load (package, version, file hashes), read only when the graph detects faces.
  const detects = graph.tasks.some((t) => t.stage === 'detect');
  const models = detects ? await modelIdentities(cfg.detect) : null;
  // Keys must mean the same on every machine: the config's paths become what they hold.
  const portable = await portableConfig(cfg, graph.work);
  // The engine facts that change a model stage's numbers: which engine auto picks and, on
  // TensorFlow's C library, its thread pools and the library itself (only there: a wasm fold is
  // the same on any machine).
  const auto = autoEngine();
  const engine = process.env.TFJS_BACKEND?.trim() || (cfg.backend === 'auto' ? auto : cfg.backend);
  const engineFacts = { auto, ...(isNativeEngine(engine) ? { threads: nativeThreads(), library: nativeLibraryOf(engine as 'tensorflow' | 'tensorflow-gpu') } : {}) };
  const packages = await readWorkspacePackages(context.workspaceRoot);
  const code = Object.fromEntries([...new Set(STAGE_NAMES.map((s) => STAGES[s].project))].map((p) => [p, runtimeClosure(packages, p)]));
  const tsx = installedVersion(context.workspaceRoot, 'tsx');
  for (const s of STAGE_NAMES) {
    const key = {
      params: stageParams(portable, s),
      // the npm packages the stage's code loads, and tsx, which runs it
      npm: { ...code[STAGES[s].project]!.external, tsx },
      ...(ON_ENGINE.includes(s) ? engineFacts : {}),
      ...(s === 'detect' && models ? { models } : {}),
    };
    await writeKey(join(dir, `${s}.json`), stableStringify(key) + '\n');
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
  const keys: StageKeys = { keyFile, fingerprintArgs: `${KEYS_REF}/fingerprint-args.json`, fingerprint: `${KEYS_REF}/fingerprint.txt`, code };
  const byProject = nxTargets(graph, keys);
  return files.map((file) => {
    const root = dirname(file);
    const project = root.split('/').pop() as string;
    return [file, { projects: { [root]: { targets: byProject[project] ?? {} } } }] as const;
  });
}
