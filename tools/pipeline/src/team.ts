import { resolve } from 'node:path';
import { loadConfig, pipelineGraph, splitTarget, targets, trainedFolds, type PipelineConfig } from '@facemask/contracts';
import { runNx, taskOutcomes, type NxRun } from './nx.ts';

type RunNxOptions = Parameters<typeof runNx>[1];
import { WORKSPACE_ROOT } from './workspace.ts';

/** The variables Nx's self-hosted remote cache client reads (`pnpm cache:serve` is such a server). */
export const REMOTE_CACHE_VARS = ['NX_SELF_HOSTED_REMOTE_CACHE_SERVER', 'NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN'] as const;

/** `--folds 2,3` as fold numbers, sorted, each once; an error names the bad part. */
export function parseFoldList(value: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  const bad = parts.filter((p) => !/^\d+$/.test(p));
  if (bad.length || !parts.length) throw new Error(`--folds takes fold numbers separated by commas (e.g. --folds 2,3), got "${value}"`);
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}

/**
 * The round-1 training targets of those folds. A fold the config does not train is an error: the
 * ensemble would never read it, so a machine given it would work for nothing.
 */
export function foldTargets(config: Pick<PipelineConfig, 'train' | 'preprocess'>, folds: number[]): string[] {
  const trained = trainedFolds(config);
  const missing = folds.filter((f) => !trained.includes(f));
  if (missing.length) {
    throw new Error(`--folds ${missing.join(',')}: the config trains folds ${trained.join(',')} (preprocess.folds ${config.preprocess.folds}, train.folds): name folds from that list`);
  }
  return folds.map((f) => targets.trainFold(1, f));
}

/** `nx run-many` for those targets: Nx adds what they depend on (preprocess, features). */
export function foldNxArgs(foldTargetIds: string[]): string[] {
  const names = foldTargetIds.map((id) => splitTarget(id).target);
  return ['run-many', `--targets=${names.join(',')}`, `--projects=${splitTarget(targets.trainFold(1, 0)).project}`, '--outputStyle=stream'];
}

/**
 * The remote cache settings to hand the pipeline's Nx (runNx passes no NX_* variable down on its
 * own). An unreachable server is left out with a warning: Nx 22.7 fails a run whose cache server
 * does not answer instead of running the tasks itself.
 */
export async function remoteCacheEnv(env: NodeJS.ProcessEnv, timeoutMs = 3000): Promise<{ env: NodeJS.ProcessEnv; warning?: string }> {
  const server = env.NX_SELF_HOSTED_REMOTE_CACHE_SERVER;
  if (!server) return { env: {} };
  const picked = Object.fromEntries(REMOTE_CACHE_VARS.filter((k) => env[k] !== undefined).map((k) => [k, env[k]]));
  try {
    // Any answer (even 401, which Nx then reports itself) means the server is there.
    await fetch(`${server.replace(/\/$/, '')}/v1/cache/0`, { signal: AbortSignal.timeout(timeoutMs), headers: { Authorization: `Bearer ${env.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN ?? ''}` } });
    return { env: picked };
  } catch (err) {
    const why = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    return { env: {}, warning: `warning: remote cache ${server} did not answer (${why}); this run uses the local cache only and shares nothing` };
  }
}

export interface FoldsRun {
  /** Per fold: trained here, or taken from a cache (local or remote). */
  folds: Map<number, 'ran' | 'cached'>;
  nx: NxRun;
}

/** Trains the named folds of round 1 (and their inputs) for a config through Nx. */
export async function trainFolds(configFile: string, folds: number[], opts: { env?: NodeJS.ProcessEnv; nxArgs?: string[]; quiet?: boolean } = {}): Promise<FoldsRun> {
  const abs = resolve(configFile);
  const config = await loadConfig(abs, WORKSPACE_ROOT);
  pipelineGraph(config, WORKSPACE_ROOT);
  const ids = foldTargets(config, folds);
  const nx = await runNxWithRemote([...foldNxArgs(ids), ...(opts.nxArgs ?? [])], { config: abs, env: opts.env ?? {}, quiet: opts.quiet ?? false });
  if (nx.code !== 0) throw new Error(`training folds ${folds.join(',')} failed (nx exited with ${nx.code}); the failing task's output is above`);
  const outcomes = taskOutcomes(nx.output);
  return { folds: new Map(folds.map((f, i) => [f, outcomes.get(ids[i] ?? '') ?? 'ran'])), nx };
}

/**
 * runNx with the remote cache, going on locally when the server stops answering mid-run: Nx 22.7
 * fails a task whose upload it cannot make, so when a run fails and the server no longer answers,
 * the same run goes once more without it (one warning). What finished is in the local cache, so
 * only the interrupted task runs again. A failure while the server still answers is the task's own.
 */
export async function runNxWithRemote(args: string[], opts: RunNxOptions, log: (line: string) => void = (l) => console.error(l)): Promise<NxRun> {
  const first = await runNx(args, opts);
  const server = opts.env?.NX_SELF_HOSTED_REMOTE_CACHE_SERVER;
  if (first.code === 0 || !server) return first;
  if (!(await remoteCacheEnv(opts.env ?? {})).warning) return first;
  log(`warning: remote cache ${server} stopped answering during the run; going on with the local cache only (what this machine trains from now on is not shared)`);
  const env = Object.fromEntries(Object.entries(opts.env ?? {}).filter(([k]) => !(REMOTE_CACHE_VARS as readonly string[]).includes(k)));
  const second = await runNx(args, { ...opts, env });
  return { code: second.code, output: first.output + second.output };
}
