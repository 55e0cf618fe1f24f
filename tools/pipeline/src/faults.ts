import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { FAULT_AT_ENV, FAULT_TRACE_ENV, FOLD_FILES, stableStringify, targets } from '@facemask/contracts';
import { claimWorkFolder } from '@facemask/contracts/work-folder';
import { parseTrace, type KillPoint, type SitePass } from './fault-schedule.ts';
import { runNx, type NxRun } from './nx.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

/**
 * Fault injection over a whole pipeline, through real Nx: an uninterrupted `nx run report:run`
 * maps where each task's processes pass the fault sites (FACEMASK_FAULT_TRACE, a file per
 * process), a seeded schedule picks points among them, and for each point a fresh run is killed
 * there with SIGKILL (FACEMASK_FAULT_AT names the task, since every task of the run sees the
 * variable) and `nx run report:run` is started again: Nx restores what finished from its cache and
 * runs the rest, as it does for a user whose machine died.
 */
export * from './fault-schedule.ts';

/** `nx run report:run` for a config, with an Nx cache of its own. */
export function nxPipeline(config: string, nxCache: string, env: NodeJS.ProcessEnv = {}): Promise<NxRun> {
  return runNx(['run', targets.report, '--outputStyle=stream'], { config, quiet: true, env: { FORCE_COLOR: '0', NX_CACHE_DIRECTORY: nxCache, ...env } });
}

/** The traces a FACEMASK_FAULT_TRACE folder holds: per task, one per process. */
export async function readTraces(dir: string): Promise<Map<string, SitePass[][]>> {
  const traces = new Map<string, SitePass[][]>();
  for (const name of (await readdir(dir)).sort()) {
    const m = /^(.*)@\d+\.txt$/.exec(name);
    if (!m?.[1]) continue;
    traces.set(m[1], [...(traces.get(m[1]) ?? []), parseTrace(await readFile(join(dir, name), 'utf8'))]);
  }
  return traces;
}

/** An uninterrupted run that records, per task process, the fault sites it passes in order. */
export async function tracedRun(config: string, traceDir: string, nxCache: string): Promise<Map<string, SitePass[][]>> {
  await rm(traceDir, { recursive: true, force: true });
  await mkdir(traceDir, { recursive: true });
  const r = await nxPipeline(config, nxCache, { [FAULT_TRACE_ENV]: `${traceDir}/` });
  if (r.code !== 0) throw new Error(`the uninterrupted run failed (exit ${r.code}):\n${r.output.slice(-4000)}`);
  return readTraces(traceDir);
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
 * store (from detect's crops or by decoding) or reused one a killed run had completed (its pixels are checked against their sha256
 * either way), and a checkpoint's run key, which holds the Nx task's hash (the work folder's name
 * is in it). Everything else must not.
 */
const VOLATILE = new Set(['seconds', 'imagesPerSecond', 'startedAt', 'reused', 'runKey']);
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
  // built from detect's crops, by decoding, or reused from the killed run's store: the same pixels (their sha256 is in the cache index, compared above)
  if (rel === 'preprocess/summary.txt') return text.replace(/ (built|reused)( \(\d+ crops from detect's decode\))?(,| pixels)/g, '$3');
  if (rel === 'detect/summary.txt') return text.replace(/ in [\d.]+ s \([\d-]+ ms\/photo\)/, '');
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
  // absolute first: a workspace-relative path is the tail of the absolute one
  const works = [expected, actual, relative(WORKSPACE_ROOT, expected), relative(WORKSPACE_ROOT, actual)];
  for (const p of a.filter((x) => b.includes(x))) {
    const [x, y] = [comparable(p, await readFile(join(expected, p)), works), comparable(p, await readFile(join(actual, p)), works)];
    const same = typeof x === 'string' ? x === y : Buffer.isBuffer(y) && x.equals(y);
    if (!same) diffs.push(`${p}: differs`);
  }
  return diffs;
}

export interface PointOutcome {
  point: KillPoint;
  /** Empty when the killed run, started again, ended like the uninterrupted one. */
  problems: string[];
  /** The rerun resumed the killed fold from its checkpoint. */
  resumed: boolean;
}

/** Whether one of the task's processes stopped right after its n-th pass of the site. */
function killedAt(traces: ReadonlyMap<string, readonly (readonly SitePass[])[]>, point: KillPoint): boolean {
  return (traces.get(point.task) ?? []).some((t) => t.at(-1)?.site === point.site && t.filter((p) => p.site === point.site).length === point.n);
}

/**
 * Whether the killed fold had begun to put a checkpoint in place (a swap of last/, which a resume
 * finishes when the kill fell between its two renames).
 */
function checkpointed(traces: ReadonlyMap<string, readonly (readonly SitePass[])[]>, point: KillPoint): boolean {
  return (traces.get(point.task) ?? []).some((t) => t.some((p) => p.site === 'dir-swap' && p.detail === FOLD_FILES.last));
}

/**
 * One kill point: a fresh work folder (so nothing of it is in Nx's cache yet), the pipeline run
 * through Nx until SIGKILL stops the task at the point, then run again, then compared with
 * `reference`.
 */
export async function killAndRerun(
  point: KillPoint,
  o: { reference: string; work: string; writeConfig: (work: string) => Promise<string>; nxCache: string },
): Promise<PointOutcome> {
  const problems: string[] = [];
  await rm(o.work, { recursive: true, force: true });
  await mkdir(o.work, { recursive: true });
  const config = await o.writeConfig(o.work);
  const traceDir = `${o.work}.trace`;
  await rm(traceDir, { recursive: true, force: true });
  await mkdir(traceDir, { recursive: true });
  const killed = await nxPipeline(config, o.nxCache, { [FAULT_AT_ENV]: `${point.task}@${point.site}:${point.n}`, [FAULT_TRACE_ENV]: `${traceDir}/` });
  const traces = await readTraces(traceDir);
  if (killed.code === 0 || !killedAt(traces, point)) {
    problems.push(`the run was not killed there (nx exited ${killed.code}): ${killed.output.slice(-800)}`);
  }
  await rm(traceDir, { recursive: true, force: true });
  const again = await nxPipeline(config, o.nxCache);
  if (again.code !== 0) {
    problems.push(`the next run failed (exit ${again.code}): ${again.output.slice(-3000)}`);
    return { point, problems, resumed: false };
  }
  // Training from scratch would end with the same artifacts (it is deterministic): a fold killed
  // after a checkpoint must be seen to resume from it.
  const resumed = /fold \d+: resuming after epoch \d+\/\d+/.test(again.output);
  if (checkpointed(traces, point) && !resumed) problems.push(`killed after a checkpoint, ${point.task} did not resume from it: ${again.output.slice(-1500)}`);
  problems.push(...(await compareWork(o.reference, o.work)));
  problems.push(...(await leftovers(o.work)).map((p) => `${p}: temporary left behind`));
  return { point, problems, resumed };
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
