import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { configProblems } from './checks.ts';
import { configSchema, type PipelineConfig } from './schema.ts';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Parses a config object; relative paths in `data` resolve against `baseDir`. What the schema
 * cannot check (checks.ts) is checked here too, so a config that cannot run fails on load.
 */
export function parseConfig(input: unknown, source = '<config>', baseDir = process.cwd()): PipelineConfig {
  const r = configSchema.safeParse(input);
  if (!r.success) throw new ConfigError(`${source}: invalid config\n${z.prettifyError(r.error)}`);
  const cfg = r.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  cfg.data.root = abs(cfg.data.root);
  if (cfg.data.evalLabels) cfg.data.evalLabels = abs(cfg.data.evalLabels);
  const c = cfg.preprocess.corrections;
  if (c && c !== 'builtin') cfg.preprocess.corrections = abs(c);
  if (cfg.model.pretrained && cfg.model.pretrained !== 'face-api') cfg.model.pretrained = abs(cfg.model.pretrained);
  const problems = configProblems(cfg);
  if (problems.length > 0) throw new ConfigError(`${source}: ${problems.join('; ')}`);
  return cfg;
}

/** The config file this process loaded last: a stage process loads one, and its path errors name it. */
let loadedFrom: string | null = null;

/**
 * For an error about a path the config gave (data.root, data.evalLabels, preprocess.corrections,
 * model.pretrained): where relative paths start, which a user who copied a config elsewhere
 * cannot guess. Empty when no config file was loaded (a config built in code).
 */
export function configPathNote(): string {
  return loadedFrom === null ? '' : ` (paths in a config are relative to the config file ${loadedFrom})`;
}

/** Where the runs of config files without `data.work` go, relative to the workspace root. */
export const RUNS_FOLDER = 'data/runs';

/**
 * The work folder of a config file that gives no `data.work`: `data/runs/<file name without
 * .json>`, so each experiment keeps its own artifacts and report instead of overwriting the last.
 */
export function defaultWorkFolder(configFile: string): string {
  const name = basename(configFile).replace(/\.json$/i, '');
  // '.json' would make the runs folder itself a work folder, and every run its sibling.
  if (name === '' || name.startsWith('.')) throw new ConfigError(`${configFile}: a config file without data.work needs a name that does not start with '.' (its run goes to ${RUNS_FOLDER}/<name>): rename it or set data.work`);
  return `${RUNS_FOLDER}/${name}`;
}

/**
 * Loads a config file. `data.root` and other data paths are relative to the config file's
 * folder; `data.work` is relative to `workspaceRoot` so artifacts stay where Nx expects them,
 * and defaults to defaultWorkFolder(path) (the schema's own default is for configs built in code).
 */
export async function loadConfig(path: string, workspaceRoot = process.cwd()): Promise<PipelineConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  const cfg = parseConfig(json, path, dirname(resolve(path)));
  loadedFrom = resolve(path);
  const data = (json as { data?: { work?: unknown } }).data;
  if (data?.work === undefined) cfg.data.work = defaultWorkFolder(path);
  cfg.data.work = isAbsolute(cfg.data.work) ? cfg.data.work : resolve(workspaceRoot, cfg.data.work);
  return cfg;
}

/** The repository root (this file is packages/contracts/src/config/load.ts, or dist/config/ when built). */
export const WORKSPACE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const DEMO_CONFIG = resolve(WORKSPACE_ROOT, 'tools/pipeline/configs/demo.json');

/**
 * The config a pipeline target reads: `--config=FILE` if given, else $FACEMASK_CONFIG, else the
 * demo config. Nx hashes the file $FACEMASK_CONFIG names, so a `--config` naming another file is
 * refused rather than cached under the wrong key.
 */
export function resolveConfigPath(cli?: string, env: Record<string, string | undefined> = process.env): string {
  const fromEnv = env.FACEMASK_CONFIG ? resolve(env.FACEMASK_CONFIG) : undefined;
  const given = cli ? resolve(cli) : undefined;
  if (given && fromEnv && given !== fromEnv) {
    throw new ConfigError(
      `--config=${given} differs from FACEMASK_CONFIG=${fromEnv}: Nx hashes the file FACEMASK_CONFIG names; set it to the same file (pnpm pipeline --config does)`,
    );
  }
  return given ?? fromEnv ?? DEMO_CONFIG;
}

/** loadConfig of resolveConfigPath(cli), with data.work relative to the workspace root. */
export async function loadStageConfig(cli?: string, workspaceRoot = WORKSPACE_ROOT): Promise<PipelineConfig> {
  return loadConfig(resolveConfigPath(cli), workspaceRoot);
}
