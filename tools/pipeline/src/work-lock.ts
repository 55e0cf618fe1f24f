import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { workFolderFiles } from '@facemask/contracts/work-folder';
import { isAlive } from '@facemask/contracts/atomic';

/**
 * One pipeline run per work folder: two runs on one folder resume each other's in-flight
 * checkpoints and race on the same folder swaps. The lock is a file in the work folder naming its
 * holder; it is created whole (written aside, then hard-linked into place, which fails when it
 * exists), so a reader never sees half of it.
 */

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export interface WorkLock {
  file: string;
  holder: LockHolder;
  /** Removes the lock file if it still names this holder. */
  release(): Promise<void>;
}

export class WorkFolderLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkFolderLockedError';
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.startedAt === 'string' ? { command: '', ...h } as LockHolder : null;
  } catch {
    return null;
  }
}

/**
 * The run holding the lock `file`, or null when there is none or its process on this host is
 * gone. Another host's holder cannot be checked from here: it counts as holding the lock.
 */
export async function liveHolder(file: string): Promise<LockHolder | null> {
  const h = parseHolder(await readFile(file, 'utf8').catch(() => ''));
  return h && (h.host !== hostname() || isAlive(h.pid)) ? h : null;
}

const sameHolder = (a: LockHolder | null, b: LockHolder) => !!a && a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt;

/** Creates `file` holding `holder`, or returns false when it exists. */
async function create(file: string, holder: LockHolder): Promise<boolean> {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(aside, JSON.stringify(holder) + '\n');
  try {
    await link(aside, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(aside).catch(() => {});
  }
}

/** Removes a dead holder's lock, unless another run replaced it in the meantime. */
async function takeOver(file: string, stale: LockHolder): Promise<void> {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = parseHolder(await readFile(aside, 'utf8').catch(() => ''));
  // Another run took the stale lock over first and this moved its live lock: put it back.
  if (!sameHolder(moved, stale)) await link(aside, file).catch(() => {});
  await unlink(aside).catch(() => {});
}

function describe(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host}, started ${h.startedAt}${h.command ? `: ${h.command}` : ''}`;
}

/**
 * Takes `work`'s lock before anything is written there, or stops at once naming the run that
 * holds it. A lock left by a process of this host that is gone (killed) is taken over with a
 * warning on `log`. The lock is released by `release()`, and on process exit or SIGINT/SIGTERM.
 */
export async function lockWorkFolder(work: string, opts: { log?: (line: string) => void } = {}): Promise<WorkLock> {
  await mkdir(work, { recursive: true });
  const { lock: file } = workFolderFiles(work);
  return takeLock(file, {
    ...opts,
    busy: (holder, where) => {
      throw new WorkFolderLockedError(
        `work folder ${work} is in use by another pipeline run (${describe(holder)})${where}: wait for it to finish, or delete ${file} if that run is gone`,
      );
    },
    what: `work folder ${work}`,
    where: work,
  });
}

/**
 * Takes the lock file `file`. When a live run holds it, `busy` decides: throw (the work folder's
 * lock), or resolve to wait and try again (the workspace's Nx lock).
 */
export async function takeLock(
  file: string,
  opts: {
    log?: (line: string) => void;
    busy: (holder: LockHolder, where: string) => Promise<void> | never;
    /** What is locked, for messages ("work folder /x"), and the bare name of it ("/x"). */
    what: string;
    where: string;
  },
): Promise<WorkLock> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: process.argv.slice(1).join(' ') };
  // A few tries: the holder may release, or a stale lock be taken over, between two steps.
  for (let attempt = 0; attempt < 5; ) {
    if (await create(file, me)) return held(file, me);
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : ''));
    if (text === null) {
      attempt++;
      continue;
    }
    const holder = parseHolder(text);
    if (!holder) throw new WorkFolderLockedError(`${opts.what} is locked by ${file}, which names no run: delete it if no pipeline is running on this folder`);
    if (holder.host === me.host && !isAlive(holder.pid)) {
      log(`warning: taking over the lock on ${opts.where} left by a run that is gone (${describe(holder)})`);
      await takeOver(file, holder);
      attempt++;
      continue;
    }
    // Waiting is not a failed try: busy() returns only after the holder is gone or has moved on.
    await opts.busy(holder, holder.host === me.host ? '' : ' (another host: its process cannot be checked from here)');
  }
  throw new WorkFolderLockedError(`could not take the lock ${file}: other runs keep taking it; run one pipeline per work folder`);
}

/** Resolves once `file` no longer names `holder` (released, taken over, or its process gone). */
export async function waitForRelease(file: string, holder: LockHolder, pollMs = 500): Promise<void> {
  for (;;) {
    await new Promise((r) => setTimeout(r, pollMs));
    const now = parseHolder(await readFile(file, 'utf8').catch(() => ''));
    if (!sameHolder(now, holder) || (holder.host === hostname() && !isAlive(holder.pid))) return;
  }
}

export { describe as describeHolder };

function held(file: string, me: LockHolder): WorkLock {
  const releaseSync = () => {
    try {
      if (sameHolder(parseHolder(readFileSync(file, 'utf8')), me)) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    releaseSync();
    detach();
    // Ours was the only handler: end as the signal would have without it.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const detach = () => {
    process.off('exit', releaseSync);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('exit', releaseSync);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    file,
    holder: me,
    async release() {
      detach();
      const now = parseHolder(await readFile(file, 'utf8').catch(() => ''));
      if (sameHolder(now, me)) await unlink(file).catch(() => {});
    },
  };
}
