import { FAULT_SITES, FOLD_FILES, Rng, type FaultSite } from '@facemask/contracts';

/** Where to kill a pipeline run: a seeded choice among the fault sites an uninterrupted run passes. */

export interface KillPoint {
  /** The task killed, e.g. "train:round1-fold-0". */
  task: string;
  site: FaultSite;
  /** Killed the n-th time the task's process passes the site. */
  n: number;
  /** What the site was writing then, from the trace (e.g. "last", "predictions-oof.json"). */
  detail?: string;
}

export const describePoint = (p: KillPoint) => `${p.task} at ${p.site}:${p.n}${p.detail ? ` (${p.detail})` : ''}`;

/** One pass of a fault site in a trace. */
export interface SitePass {
  site: FaultSite;
  detail?: string;
}

/** Parses a FACEMASK_FAULT_TRACE file. */
export function parseTrace(text: string): SitePass[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [site, detail] = l.split('\t') as [FaultSite, string | undefined];
      return detail === undefined ? { site } : { site, detail };
    });
}

/** Each task's traces, one per process of it (a detect task's workers each trace apart). */
export type TaskTraces = ReadonlyMap<string, readonly (readonly SitePass[])[]>;

/**
 * Every point a kill can hit, per task in task order: a site one process of the task passes, n
 * times in all, gives n points in trace order. A site that several processes pass (detect's
 * workers, which share the photos as they come) gives points up to half each one's share: every
 * process counts its own passes, and which photos fall to which varies from run to run.
 */
export function killPoints(traces: TaskTraces): KillPoint[] {
  const points: KillPoint[] = [];
  for (const task of [...traces.keys()].sort()) {
    const processes = traces.get(task)!;
    const shared = new Set<FaultSite>();
    for (const site of FAULT_SITES) if (processes.filter((t) => t.some((p) => p.site === site)).length > 1) shared.add(site);
    for (const trace of processes) {
      const seen = new Map<FaultSite, number>();
      for (const { site, detail } of trace) {
        if (shared.has(site)) continue;
        const n = (seen.get(site) ?? 0) + 1;
        seen.set(site, n);
        points.push({ task, site, n, ...(detail === undefined ? {} : { detail }) });
      }
    }
    for (const site of shared) {
      const passing = processes.filter((t) => t.some((p) => p.site === site));
      const total = passing.reduce((a, t) => a + t.filter((p) => p.site === site).length, 0);
      for (let n = 1; n <= Math.max(1, Math.floor(total / (2 * passing.length))); n++) points.push({ task, site, n });
    }
  }
  return points;
}

/**
 * `count` kill points drawn with `seed` from every site pass of the traces: first one of each
 * kind of site the run passes (so a short schedule still kills mid-batch, during a checkpoint
 * swap, mid-write, during the image cache build and during feature extraction), then a kind of
 * site at random and a pass of it at random.
 */
export function faultSchedule(traces: TaskTraces, count: number, seed: number): KillPoint[] {
  const rng = Rng.derive(seed, 'fault-schedule');
  const passes = killPoints(traces);
  const chosen = new Map<string, KillPoint>();
  for (const site of FAULT_SITES) {
    // the folder swap to hit first is a fold checkpoint's (last/): the one a resume reads
    const all = passes.filter((p) => p.site === site);
    const checkpoints = all.filter((p) => p.detail === FOLD_FILES.last);
    const of = site === 'dir-swap' && checkpoints.length ? checkpoints : all;
    if (of.length && chosen.size < count) {
      const p = rng.pick(of);
      chosen.set(describePoint(p), p);
    }
  }
  // Then a kind of site, then one of its passes: photos in the cache build outnumber every other
  // pass, and would otherwise take most of the schedule.
  const kinds = FAULT_SITES.filter((site) => passes.some((p) => p.site === site));
  while (chosen.size < Math.min(count, passes.length)) {
    const site = rng.pick(kinds);
    const left = passes.filter((p) => p.site === site && !chosen.has(describePoint(p)));
    if (left.length === 0) {
      kinds.splice(kinds.indexOf(site), 1);
      continue;
    }
    const p = rng.pick(left);
    chosen.set(describePoint(p), p);
  }
  return [...chosen.values()];
}
