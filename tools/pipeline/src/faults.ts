import { spawn } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { FAULT_AT_ENV, FAULT_TRACE_ENV, pipelineGraph, stableStringify, stageScript, targets, tasksRunBy, type PipelineConfig, type PipelineGraph, type PipelineTask } from '@facemask/contracts';
import { claimWorkFolder } from '@facemask/contracts/work-folder';
import { downstreamOf, parseTrace, type KillPoint, type SitePass } from './fault-schedule.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

/**
 * Fault injection over a whole pipeline: an uninterrupted run maps where each task passes the
 * fault sites (FACEMASK_FAULT_TRACE), a seeded schedule picks points among them, and for each
 * point a run is killed there with SIGKILL (FACEMASK_FAULT_AT) and started again. The tasks run as
 * Nx runs them (each stage's CLI through tsx, with FACEMASK_CONFIG); the tasks a rerun would not
 * redo (upstream of the killed one, or beside it) are restored from the uninterrupted run, as Nx
 * restores them from its cache.
 */
export * from './fault-schedule.ts';

export interface TaskRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** One task's process, as the Nx plugin's target runs it. */
export function runTask(task: PipelineTask, config: string, env: NodeJS.ProcessEnv = {}): Promise<TaskRun> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NX_') && k !== FAULT_AT_ENV && k !== FAULT_TRACE_ENV));
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', stageScript(task.stage), ...task.args, '--quiet'], {
    cwd: WORKSPACE_ROOT,
    env: { ...inherited, FACEMASK_CONFIG: config, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
}

/**
 * The graph of a config whose work folder is `work` (anywhere: only the task list is used), cut
 * to the tasks `nx run report:run` runs (the graph lays out every fold of both rounds).
 */
export function graphOf(cfg: PipelineConfig): PipelineGraph {
  const graph = pipelineGraph(cfg, join(cfg.data.work, '..'));
  return { ...graph, tasks: tasksRunBy(graph, targets.report) };
}

/** Runs the given tasks in graph order; fails naming the first that does not succeed. */
export async function runTasks(graph: PipelineGraph, ids: ReadonlySet<string>, config: string, envFor: (task: PipelineTask) => NodeJS.ProcessEnv = () => ({})): Promise<void> {
  for (const task of graph.tasks) {
    if (!ids.has(task.id)) continue;
    const r = await runTask(task, config, envFor(task));
    if (r.code !== 0) throw new Error(`${task.id} failed (${r.signal ?? `exit ${r.code}`}):\n${r.output.slice(-3000)}`);
  }
}

/** An uninterrupted run that records, per task, the fault sites it passes in order. */
export async function tracedRun(graph: PipelineGraph, config: string, traceDir: string): Promise<Map<string, SitePass[]>> {
  await mkdir(traceDir, { recursive: true });
  const file = (t: PipelineTask) => join(traceDir, `${t.id.replace(/[^\w-]/g, '_')}.txt`);
  await runTasks(graph, new Set(graph.tasks.map((t) => t.id)), config, (t) => ({ [FAULT_TRACE_ENV]: file(t) }));
  const traces = new Map<string, SitePass[]>();
  for (const t of graph.tasks) traces.set(t.id, parseTrace(await readFile(file(t), 'utf8').catch(() => '')));
  return traces;
}

/** Copies the outputs of `ids` from one work folder to another (what an Nx cache hit restores). */
export async function restoreOutputs(graph: PipelineGraph, ids: ReadonlySet<string>, from: string, to: string): Promise<void> {
  const root = join(from, '..');
  for (const t of graph.tasks) {
    if (!ids.has(t.id)) continue;
    for (const o of t.outputs) {
      const rel = relative(from, join(root, o));
      await cp(join(from, rel), join(to, rel), { recursive: true });
    }
  }
}

/** What a writer killed mid-write leaves (contracts' atomic.ts names). */
const LEFTOVER = /^\..+\.\d+\.[0-9a-f]{8}\.(tmp|old)$/;

/** Every file and folder under `dir`, relative to it (folders end in "/"). */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const rel = relative(dir, join(e.parentPath, e.name));
    out.push(e.isDirectory() ? `${rel}/` : rel);
  }
  return out.sort();
}

/** Temporary files and folders anywhere under a work folder. */
export async function leftovers(work: string): Promise<string[]> {
  return (await tree(work)).filter((p) => LEFTOVER.test(p.replace(/\/$/, '').split('/').pop()!));
}

/**
 * Run records and epoch timings differ between runs; so does whether preprocess built an image
 * store or reused one a killed run had completed (its pixels are checked against their sha256
 * either way). Everything else must not.
 */
const VOLATILE = new Set(['seconds', 'imagesPerSecond', 'startedAt', 'reused']);
function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !VOLATILE.has(k)).map(([k, x]) => [k, strip(x)]));
  return v;
}

/**
 * A file's content as compared: timings left out, and the work folders' paths (in reports) as
 * <work> (outputs restored from the reference name its folder).
 */
function comparable(rel: string, bytes: Buffer, works: readonly string[]): string | Buffer {
  if (!/\.(json|jsonl|txt|csv|html)$/.test(rel)) return bytes;
  const text = works.reduce((t, w) => t.split(w).join('<work>'), bytes.toString('utf8'));
  // The report's page renders the artifacts compared here, with task times and training speeds
  // beside them: what must match is a whole page with the same sections.
  if (rel === 'report/index.html') return `${[...text.matchAll(/<section id="([^"]+)">/g)].map((m) => m[1]).join(',')} ${/<\/html>\s*$/.test(text)}`;
  if (rel.endsWith('.json')) {
    // the report's slice is the whole config, data.work (the folder compared) included
    const json = rel === 'report/run.json' ? text.replace(/"paramsHash":\s*"[0-9a-f]+"/, '"paramsHash":null') : text;
    // An artifact's envelope digests its data, timings included: the data is what is compared.
    const { sha256: _digest, ...data } = JSON.parse(json) as Record<string, unknown>;
    return stableStringify(strip(data));
  }
  if (rel.endsWith('.jsonl')) return text.split('\n').filter(Boolean).map((l) => stableStringify(strip(JSON.parse(l)))).join('\n');
  if (rel === 'preprocess/summary.txt') return text.replace(/ (built|reused)(,| pixels)/g, '$2');
  // a fold's report: the img/s column of its epoch rows and its time line
  if (/fold-\d+\/summary\.txt$/.test(rel)) {
    return text.split('\n').map((l) => l.replace(/^(\s+\d+ .*\d\*?)\s+\d+\.\d$/, '$1').replace(/; \S+ at [\d.]+ img\/s$/, '')).join('\n');
  }
  return text;
}

/**
 * The differences between the artifacts of two work folders (the fingerprint sidecar cache and
 * temporaries aside): files only one holds, and files whose content differs beyond timings.
 */
export async function compareWork(expected: string, actual: string): Promise<string[]> {
  // temporaries are leftovers()'s to report
  const list = async (w: string) =>
    (await tree(w)).filter((p) => !p.startsWith('.cache/') && !p.endsWith('/') && p !== 'config.json' && !p.split('/').some((seg) => LEFTOVER.test(seg)));
  const [a, b] = [await list(expected), await list(actual)];
  const diffs: string[] = [];
  for (const p of a) if (!b.includes(p)) diffs.push(`${p}: missing`);
  for (const p of b) if (!a.includes(p)) diffs.push(`${p}: not in the uninterrupted run`);
  for (const p of a.filter((x) => b.includes(x))) {
    const [x, y] = [comparable(p, await readFile(join(expected, p)), [expected, actual]), comparable(p, await readFile(join(actual, p)), [expected, actual])];
    const same = typeof x === 'string' ? x === y : Buffer.isBuffer(y) && x.equals(y);
    if (!same) diffs.push(`${p}: differs`);
  }
  return diffs;
}

export interface PointOutcome {
  point: KillPoint;
  /** Empty when the killed run, started again, ended like the uninterrupted one. */
  problems: string[];
}

/**
 * One kill point: a fresh work folder with the outputs of every task the rerun would not redo
 * restored from `reference`, the killed task run until SIGKILL stops it at the point, then the
 * rerun (that task and everything downstream), then the comparison with `reference`.
 */
export async function killAndRerun(
  point: KillPoint,
  o: { graph: PipelineGraph; reference: string; work: string; writeConfig: (work: string) => Promise<string> },
): Promise<PointOutcome> {
  const problems: string[] = [];
  await rm(o.work, { recursive: true, force: true });
  await mkdir(o.work, { recursive: true });
  const config = await o.writeConfig(o.work);
  const redo = downstreamOf(o.graph, point.task);
  const restored = new Set(o.graph.tasks.map((t) => t.id).filter((id) => !redo.has(id)));
  await restoreOutputs(o.graph, restored, o.reference, o.work);
  const task = o.graph.tasks.find((t) => t.id === point.task)!;
  const killed = await runTask(task, config, { [FAULT_AT_ENV]: `${point.site}:${point.n}` });
  if (killed.signal !== 'SIGKILL') problems.push(`the run was not killed (${killed.signal ?? `exit ${killed.code}`}): ${killed.output.slice(-500)}`);
  try {
    await runTasks(o.graph, redo, config);
  } catch (err) {
    problems.push(`the next run failed: ${(err as Error).message}`);
    return { point, problems };
  }
  problems.push(...(await compareWork(o.reference, o.work)));
  problems.push(...(await leftovers(o.work)).map((p) => `${p}: temporary left behind`));
  return { point, problems };
}

/** Writes `cfg` with data.work set to a work folder, as config.json inside it; returns its path. */
export function configWriter(cfg: { data: object }): (work: string) => Promise<string> {
  return async (work: string) => {
    // Marked first: a work folder holding a file no stage wrote is refused otherwise.
    await claimWorkFolder(work);
    const file = join(work, 'config.json');
    await writeFile(file, JSON.stringify({ ...cfg, data: { ...cfg.data, work } }));
    return file;
  };
}
