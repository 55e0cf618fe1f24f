import { Command, InvalidArgumentError } from 'commander';
import { writeArtifact } from './artifact.ts';
import { runRecordArtifact } from './artifacts/run-record.ts';
import { loadStageConfig, WORKSPACE_ROOT } from './config/load.ts';
import { hashJson } from './hash.ts';
import { stageHandoff, stageParams, STAGES, type StageHandoff, type StageName, type StageParams } from './stages.ts';
import { parseRound, type Round } from './targets.ts';
import { claimWorkFolder } from './work-folder.ts';

/**
 * What every stage CLI shares: the same flags with the same spelling, the config loaded once and
 * cut to the stage's slice, and a run record (time, engine) beside the artifacts.
 */

/** Options every stage CLI accepts. */
export interface StageCliOptions {
  config?: string;
  workspace: string;
  quiet?: boolean;
}

/** A stage's command with --config, --workspace and --quiet; add the stage's own options to it. */
export function stageCommand(stage: StageName): Command {
  return new Command(stage)
    .description(STAGES[stage].description)
    .option('--config <file>', 'pipeline config JSON (default: $FACEMASK_CONFIG, else the demo config)')
    .option('--workspace <dir>', 'the folder a relative data.work is resolved from', WORKSPACE_ROOT)
    .option('--quiet', 'no progress bars or per-step log lines')
    .exitOverride();
}

/** --round for the stages that run once per training round. */
export function roundOption(v: string): Round {
  try {
    return parseRound(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** A whole number >= 0, e.g. --fold. */
export function wholeNumber(name: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number >= 0, got "${v}"`);
    return n;
  };
}

export interface StageInput<S extends StageName> {
  params: StageParams<S>;
  /** data.work, absolute. */
  work: string;
  /** Hash of params (stageParamsHash: without the data root's path): what the stage's cache key covers. */
  paramsHash: string;
  /** What the stage makes for a later one outside its key (StageSpec.handoff). */
  handoff: StageHandoff<S>;
}

/**
 * Loads the config a stage CLI names and cuts it to the stage's slice. data.work is checked to be
 * the pipeline's (claimWorkFolder) here, before the stage writes anything: a stage run alone by
 * `nx run` passes no other gate.
 */
export async function loadStageInput<S extends StageName>(stage: S, o: Pick<StageCliOptions, 'config' | 'workspace'>): Promise<StageInput<S>> {
  const cfg = await loadStageConfig(o.config, o.workspace);
  await claimWorkFolder(cfg.data.work);
  const params = stageParams(cfg, stage);
  return { params, work: cfg.data.work, paramsHash: stageParamsHash(params), handoff: stageHandoff(cfg, stage) };
}

/**
 * A hash of a stage's params that means the same on every machine: `root`, where the photos lie
 * on this one, is left out (what they hold is the data's fingerprint, which preprocess and detect
 * key on, and every later stage on their outputs). Run records, a fold's resume key and ship's
 * check of the settings folds were trained with are compared across the machines of a team
 * sharing a remote cache, whose data roots lie at different paths.
 */
export function stageParamsHash(params: object): string {
  const { root: _root, ...portable } = params as { root?: unknown };
  return hashJson(portable);
}

/** Writes `run.json` for a task that started at `started` (Date.now()). */
export async function writeRunRecord(path: string, r: { target: string; started: number; backend: string | null; paramsHash: string }): Promise<void> {
  await writeArtifact(runRecordArtifact, path, {
    target: r.target,
    startedAt: new Date(r.started).toISOString(),
    seconds: (Date.now() - r.started) / 1000,
    backend: r.backend,
    paramsHash: r.paramsHash,
  });
}
