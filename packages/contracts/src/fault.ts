import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Fault injection for the kill -9 tests, inert unless one of two variables is set:
 *
 * - `FACEMASK_FAULT_AT=[<task>@]<site>:<n>` makes the process SIGKILL itself the n-th time it
 *   passes the named site, so a test can kill a stage at an exact point (mid-swap of a checkpoint,
 *   say) that timing alone would rarely hit. With a task ("train:round1-fold-0"), only that Nx
 *   task's processes count: the variable reaches every task of an `nx run`.
 * - `FACEMASK_FAULT_TRACE=<file>` appends the name of every site passed, one a line (with what
 *   it was writing after a tab): the map of where an uninterrupted run can be killed, from which
 *   the fault-injection test draws its schedule. A value ending in "/" names a folder instead,
 *   where each process writes `<task>@<pid>.txt` (the tasks of one `nx run`, each worker apart).
 *
 * The sites mark the moments a kill is most likely to hurt; each is a single call.
 */
export const FAULT_SITES = [
  /** writeFileAtomic: the temporary file is written, not yet renamed over the target. */
  'file-write',
  /** writeDirAtomic: the new folder is built, the old one still in place. */
  'dir-build',
  /** writeDirAtomic: the old folder is renamed away, the new one not yet in its place. */
  'dir-swap',
  /** writeDirAtomic: the new folder is in place, the old one not yet deleted. */
  'dir-cleanup',
  /** A training step has updated the weights (mid-epoch). */
  'train-batch',
  /** The image cache build has appended a photo. */
  'cache-photo',
  /** Backbone features of a batch of photos are computed. */
  'feature-batch',
  /** A face-detect worker process has sent a photo's record. */
  'detect-photo',
] as const;
export type FaultSite = (typeof FAULT_SITES)[number];

export const FAULT_AT_ENV = 'FACEMASK_FAULT_AT';
export const FAULT_TRACE_ENV = 'FACEMASK_FAULT_TRACE';

const passes = new Map<FaultSite, number>();
interface FaultAt {
  task: string | null;
  site: FaultSite;
  n: number;
}
let parsed: { raw: string; at: FaultAt } | null = null;

function faultAt(raw: string): FaultAt {
  if (parsed?.raw === raw) return parsed.at;
  const m = /^(?:([\w-]+:[\w-]+)@)?([a-z-]+):([1-9]\d*)$/.exec(raw.trim());
  if (!m || !(FAULT_SITES as readonly string[]).includes(m[2]!)) {
    throw new Error(
      `${FAULT_AT_ENV}="${raw}" must be [<project>:<target>@]<site>:<n> with n >= 1 and site one of ${FAULT_SITES.join(', ')}; unset it for a normal run`,
    );
  }
  const at = { task: m[1] ?? null, site: m[2] as FaultSite, n: Number(m[3]) };
  parsed = { raw, at };
  return at;
}

/** The Nx task this process runs for ("project:target"; Nx sets both variables), else "". */
export function faultTask(env: NodeJS.ProcessEnv = process.env): string {
  const { NX_TASK_TARGET_PROJECT: project, NX_TASK_TARGET_TARGET: target } = env;
  return project && target ? `${project}:${target}` : '';
}

/** The file a process traces to: the variable itself, or its own file in the folder it names. */
export function traceFile(trace: string, env: NodeJS.ProcessEnv = process.env, pid = process.pid): string {
  return trace.endsWith('/') ? join(trace, `${faultTask(env)}@${pid}.txt`) : trace;
}

/**
 * Marks a fault site: does nothing unless FACEMASK_FAULT_AT or FACEMASK_FAULT_TRACE is set.
 * `detail` (e.g. the folder being swapped) goes to the trace after a tab, for readers of it.
 */
export function faultPoint(site: FaultSite, detail?: string): void {
  const at = process.env[FAULT_AT_ENV];
  const trace = process.env[FAULT_TRACE_ENV];
  if (!at && !trace) return;
  const n = (passes.get(site) ?? 0) + 1;
  passes.set(site, n);
  if (trace) appendFileSync(traceFile(trace), detail ? `${site}\t${detail}\n` : `${site}\n`);
  if (at) {
    const want = faultAt(at);
    if (want.site === site && want.n === n && (want.task === null || want.task === faultTask())) process.kill(process.pid, 'SIGKILL');
  }
}
