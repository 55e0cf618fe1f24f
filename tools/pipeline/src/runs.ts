#!/usr/bin/env node
/**
 * `pnpm runs [--json]`: every pipeline run of this workspace side by side, like an experiment
 * tracker's runs table: each work folder under data/runs (and data/work when there is one), the
 * config keys whose values differ between them, the out-of-fold and eval macro-F1, the engine,
 * the tasks' total time and the report page. A run is compared by the config its pipeline wrote
 * into its work folder when it started (writeRunConfig).
 */
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  defaultWorkFolder,
  ensembleArtifacts,
  lastRound,
  readArtifact,
  RUN_RECORD_FILE,
  runIfEntryPoint,
  runRecordArtifact,
  RUNS_FOLDER,
  scoreSubmission,
  workLayout,
  writeFileAtomic,
  type PipelineConfig,
  type Round,
} from '@facemask/contracts';
import { workFolderFiles } from '@facemask/contracts/work-folder';
import { Command } from 'commander';
import { liveHolder } from './work-lock.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

/** What `<work>/config.json` holds: the resolved config of the folder's last run and where it came from. */
export interface RunConfigRecord {
  kind: typeof RUN_CONFIG_KIND;
  version: 1;
  /** The config file, absolute. */
  file: string;
  startedAt: string;
  /** When the pipeline ended with every task done; null while it runs, and for good if it failed or was stopped. */
  finishedAt: string | null;
  config: PipelineConfig;
}

/** The record of a run being written (writeRunConfig). */
export interface StartedRun {
  path: string;
  /** Records that the run finished: call before the work folder's lock is released. */
  finished(): Promise<void>;
}

const RUN_CONFIG_KIND = 'facemask/run-config';

/** The work folder the pipeline used before runs had folders of their own. */
const LEGACY_WORK = 'data/work';

/**
 * Writes the resolved config of a run into its work folder as it starts (atomically; outside every
 * Nx output, so no cache key sees it). Call with the work folder's lock held. A config file that
 * gives no data.work and shares its file name with the config of the run already there (two
 * `config.json`s in two folders) is refused: the second would overwrite the first's artifacts.
 */
export async function writeRunConfig(config: PipelineConfig, file: string, workspaceRoot = WORKSPACE_ROOT): Promise<StartedRun> {
  const abs = resolve(file);
  const path = workFolderFiles(config.data.work).config;
  const previous = await readRunConfig(config.data.work).catch(() => null);
  const defaulted = resolve(workspaceRoot, defaultWorkFolder(abs)) === resolve(config.data.work);
  if (defaulted && previous && previous.file !== abs) {
    throw new Error(
      `${relative(workspaceRoot, config.data.work)} holds the run of ${previous.file} (its ${path}), and ${abs} has the same file name and no data.work: rename ${abs} or set its data.work to a folder of its own (or delete ${config.data.work} to give the folder to this config)`,
    );
  }
  const record: RunConfigRecord = { kind: RUN_CONFIG_KIND, version: 1, file: abs, startedAt: new Date().toISOString(), finishedAt: null, config };
  const write = (r: RunConfigRecord) => writeFileAtomic(path, JSON.stringify(r, null, 2) + '\n');
  await write(record);
  return { path, finished: () => write({ ...record, finishedAt: new Date().toISOString() }) };
}

/** The run config in `work`, or null when there is none (a run from before runs had one). */
export async function readRunConfig(work: string): Promise<RunConfigRecord | null> {
  const path = workFolderFiles(work).config;
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (text === null) return null;
  let value: Partial<RunConfigRecord>;
  try {
    value = JSON.parse(text) as Partial<RunConfigRecord>;
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message}): rerun the pipeline for this run to write it again`);
  }
  if (value.kind !== RUN_CONFIG_KIND || typeof value.file !== 'string' || typeof value.config !== 'object' || value.config === null) {
    throw new Error(`${path} is not a run config the pipeline wrote: rerun the pipeline for this run to write it again`);
  }
  return { ...value, finishedAt: value.finishedAt ?? null } as RunConfigRecord;
}

export interface RunRow {
  /** The folder's name under data/runs, or `data/work`. */
  name: string;
  /**
   * Its last run: `done`, `running` (a live process holds the folder's lock) or `stopped` (it
   * failed or was killed); null without a config.json. Not done: the scores are an earlier run's.
   */
  state: 'done' | 'running' | 'stopped' | null;
  /** The work folder, absolute. */
  work: string;
  /** The config file of its last run, or null when the folder has no config.json. */
  configFile: string | null;
  /** The config keys (dot paths) whose values differ between the runs listed, with this run's value (undefined, or absent in --json: not in this config). */
  differences: Record<string, unknown>;
  /** The last round's ensemble out-of-fold macro-F1, or null when there is no ensemble report. */
  oofMacroF1: number | null;
  /** The submission's macro-F1 against the config's eval labels, or null when they are not known. */
  evalMacroF1: number | null;
  /** The engine line a training task recorded (run.json `backend`). */
  engine: string | null;
  /** The time every task of the run took, summed over their run.json records. */
  seconds: number | null;
  /** The report page, or null when there is none yet. */
  report: string | null;
  /** What could not be read, one line each. */
  notes: string[];
}

/** The work folders to list: each folder under data/runs, then data/work if it is there. */
async function workFolders(workspaceRoot: string): Promise<{ name: string; work: string }[]> {
  const runs = resolve(workspaceRoot, RUNS_FOLDER);
  const entries = await readdir(runs, { withFileTypes: true }).catch(() => []);
  const out = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => ({ name: e.name, work: join(runs, e.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const legacy = resolve(workspaceRoot, LEGACY_WORK);
  if (existsSync(legacy)) out.push({ name: LEGACY_WORK, work: legacy });
  return out;
}

/**
 * A config as dot paths to values: objects are walked, arrays of plain values are one value
 * (`augment.mean`), arrays holding objects are walked by index (`augment.train.0.p`).
 */
export function flattenConfig(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  const walk = value !== null && typeof value === 'object' && (!Array.isArray(value) || value.some((v) => v !== null && typeof v === 'object'));
  if (!walk) {
    out[prefix] = value;
    return out;
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) out[prefix] = value;
  for (const [k, v] of entries) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

/**
 * Per config, the keys whose values are not the same in all of them (a key one config lacks
 * differs), in key order. data.work is left out: every run has its own, and the name shows it.
 */
export function configDifferences(configs: readonly unknown[]): Record<string, unknown>[] {
  const flat = configs.map((c) => flattenConfig(c));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].filter((k) => k !== 'data.work').sort();
  const differing = keys.filter((k) => new Set(flat.map((f) => JSON.stringify(f[k]))).size > 1);
  return flat.map((f) => Object.fromEntries(differing.map((k) => [k, f[k]])));
}

/** Every run.json of a work folder: each stage's folder, each fold of each round. */
async function runRecordFiles(work: string): Promise<string[]> {
  const files = [
    workLayout.detect(work).run,
    workLayout.preprocess(work).run,
    workLayout.features(work).run,
    workLayout.pseudoLabel(work).run,
    workLayout.submission(work).run,
    workLayout.report(work).run,
  ];
  for (const round of [1, 2] as Round[]) {
    files.push(workLayout.ensemble(work, round).run);
    const dir = workLayout.trainRound(work, round);
    const folds = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^fold-\d+$/.test(n)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
    files.push(...folds.map((f) => join(dir, f, RUN_RECORD_FILE)));
  }
  return files;
}

/** One run's row, less its differences (which need every run). */
async function readRun(name: string, work: string, record: RunConfigRecord | null, notes: string[]): Promise<Omit<RunRow, 'differences'>> {
  const config = record?.config ?? null;
  const holder = await liveHolder(workFolderFiles(work).lock);
  const state = holder ? 'running' : record === null ? null : record.finishedAt ? 'done' : 'stopped';
  if (state === 'running') notes.push(`running now (pid ${holder!.pid} on ${holder!.host}): the scores shown are from an earlier run of this folder, if any`);
  if (state === 'stopped') notes.push(`its last run (started ${record!.startedAt}) did not finish: the scores shown are from an earlier run of this folder, if any`);
  // Without a config, the round the newest ensemble report is from.
  const round: Round = config ? lastRound(config) : existsSync(workLayout.ensemble(work, 2).report) ? 2 : 1;
  const ensemble = workLayout.ensemble(work, round).report;
  let oofMacroF1: number | null = null;
  if (existsSync(ensemble)) {
    oofMacroF1 = await readArtifact(ensembleArtifacts(round).report, ensemble).then(
      (r) => r.oof.macroF1,
      (err: Error) => (notes.push(`out-of-fold score: ${err.message}`), null),
    );
  } else if (state !== 'running') notes.push(`no ensemble report yet (${ensemble})`);
  let evalMacroF1: number | null = null;
  const labels = config?.data.evalLabels;
  const submission = workLayout.submission(work).csv;
  if (labels && !existsSync(labels)) notes.push(`eval labels ${labels} (data.evalLabels) not found: no eval score`);
  if (labels && existsSync(labels) && existsSync(submission)) {
    evalMacroF1 = await scoreSubmission(submission, labels).then(
      (s) => s.macroF1,
      (err: Error) => (notes.push(`eval score: ${err.message}`), null),
    );
  }
  let engine: string | null = null;
  let seconds: number | null = null;
  for (const file of await runRecordFiles(work)) {
    if (!existsSync(file)) continue;
    const r = await readArtifact(runRecordArtifact, file).catch((err: Error) => (notes.push(err.message), null));
    if (!r) continue;
    seconds = (seconds ?? 0) + r.seconds;
    // the first training task's engine (a fold's, or train:features'): what the models ran on
    if (engine === null && r.backend !== null && /[\\/]train[\\/]/.test(file)) engine = r.backend;
  }
  const report = workLayout.report(work).index;
  return {
    name,
    state,
    work,
    configFile: record?.file ?? null,
    oofMacroF1,
    evalMacroF1,
    engine,
    seconds,
    report: existsSync(report) ? report : null,
    notes,
  };
}

/** Every run of the workspace (see the file's comment), in name order with data/work last. */
export async function listRuns(workspaceRoot = WORKSPACE_ROOT): Promise<RunRow[]> {
  const folders = await workFolders(workspaceRoot);
  const records = await Promise.all(
    folders.map(async (f) => {
      const notes: string[] = [];
      const record = await readRunConfig(f.work).catch((err: Error) => (notes.push(err.message), null));
      if (!record && notes.length === 0) notes.push(`no ${workFolderFiles(f.work).config} (a run from before pnpm runs): its config is not compared`);
      return { ...f, record, notes };
    }),
  );
  // Only runs with a config take part in the comparison.
  const compared = records.filter((r) => r.record !== null);
  const diffs = configDifferences(compared.map((r) => r.record!.config));
  const diffOf = new Map(compared.map((r, i) => [r.work, diffs[i]!]));
  const rows: RunRow[] = [];
  for (const r of records) rows.push({ ...(await readRun(r.name, r.work, r.record, r.notes)), differences: diffOf.get(r.work) ?? {} });
  return rows;
}

/** 59.6 -> "59.6 s", 359.6 -> "6 min 0 s", 3725 -> "1 h 2 min". */
export function formatTaskTime(seconds: number): string {
  if (Math.round(seconds * 10) / 10 < 60) return `${seconds.toFixed(1)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min ${total % 60} s`;
}

/** The engine's name alone ("wasm (simd, 1 thread; ...)" -> "wasm"): the table's column. */
const engineName = (line: string | null) => (line === null ? '-' : (line.split(/[\s(]/)[0] ?? line));

const shown = (v: unknown) => (v === undefined ? '(unset)' : typeof v === 'string' ? v : JSON.stringify(v));

/** The one-screen table: one row per run, its differences last, then the notes. */
export function formatRuns(rows: readonly RunRow[], workspaceRoot = WORKSPACE_ROOT): string {
  if (rows.length === 0) return `no runs yet: \`pnpm pipeline --config FILE\` runs one into ${RUNS_FOLDER}/<file name>`;
  const f1 = (v: number | null) => (v === null ? '-' : v.toFixed(4));
  const header = ['run', 'state', 'out-of-fold F1', 'eval F1', 'engine', 'task time', 'report', 'differences'];
  const cells = rows.map((r) => [
    r.name,
    r.state ?? '-',
    f1(r.oofMacroF1),
    f1(r.evalMacroF1),
    engineName(r.engine),
    r.seconds === null ? '-' : formatTaskTime(r.seconds),
    r.report === null ? '-' : relative(workspaceRoot, r.report),
    Object.entries(r.differences).map(([k, v]) => `${k}=${shown(v)}`).join(' ') || (r.configFile === null ? '(no config.json)' : '-'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  // The last column is left ragged: it is as long as the differences are.
  const line = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const notes = rows.flatMap((r) => r.notes.map((n) => `${r.name}: ${n}`));
  return [line(header), ...cells.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('runs')
    .description(`List every pipeline run (${RUNS_FOLDER}/*, and ${LEGACY_WORK}): the config keys that differ between them, scores, engine, time and report`)
    .option('--json', 'one JSON array of the runs, for machines')
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  const rows = await listRuns();
  console.log(program.opts<{ json?: boolean }>().json ? JSON.stringify(rows, null, 2) : formatRuns(rows));
  return 0;
}

runIfEntryPoint(import.meta.url, main);
