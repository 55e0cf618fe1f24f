import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, basename, resolve } from 'node:path';
import { bytesUnder, diskFullError, DiskFullError, isDiskFull } from './disk.ts';
import { faultPoint } from './fault.ts';

/**
 * Artifacts are written to a temporary sibling and renamed into place, so a crash or a failed
 * run never leaves a half-written file where a reader expects a whole one. The temporary names
 * carry the writer's pid (`.<name>.<pid>.<8 hex>.tmp`, and `.old` for a folder being replaced),
 * so the next writer into the same folder can tell a dead writer's leftovers from a live one's
 * and clear them (sweepLeftovers).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const parent = dirname(path);
  await mkdir(parent, { recursive: true });
  await sweepOnce(parent);
  const tmp = join(parent, `.${basename(path)}.${tag()}.tmp`);
  try {
    await writeFile(tmp, data);
    faultPoint('file-write', basename(path));
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    if (isDiskFull(err)) throw await diskFullError(path, typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength);
    throw err;
  }
}

/**
 * Build a whole directory under a temporary name, then swap it in. The old directory (if any)
 * survives until the new one is complete; a swap a kill interrupted is finished by the next
 * write into the same parent (or an explicit sweepLeftovers), before anything else reads it.
 */
export async function writeDirAtomic(dir: string, build: (tmpDir: string) => Promise<void>): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  // Always, not once: `build` may read the folder it replaces (e.g. to reuse part of it).
  await sweepLeftovers(parent);
  const t = tag();
  const tmp = await buildTemp(dir, t, build);
  const old = join(parent, `.${basename(dir)}.${t}.old`);
  let moved = false;
  try {
    await rename(dir, old);
    moved = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  faultPoint('dir-swap', basename(dir));
  await rename(tmp, dir);
  if (moved) {
    faultPoint('dir-cleanup', basename(dir));
    await rm(old, { recursive: true, force: true });
  }
}

/** Builds `dir`'s contents in a temporary sibling (tagged `t`); on failure removes it and rethrows. */
async function buildTemp(dir: string, t: string, build: (tmpDir: string) => Promise<void>): Promise<string> {
  const tmp = join(dirname(dir), `.${basename(dir)}.${t}.tmp`);
  try {
    await mkdir(tmp, { recursive: true });
    await build(tmp);
  } catch (err) {
    // A raw ENOSPC from inside the build names no file: name the folder and what it had written.
    const written = isDiskFull(err) && !(err instanceof DiskFullError) ? await bytesUnder(tmp) : 0;
    await rm(tmp, { recursive: true, force: true });
    if (isDiskFull(err) && !(err instanceof DiskFullError)) throw await diskFullError(dir, written, { atLeast: true });
    throw err;
  }
  faultPoint('dir-build', basename(dir));
  return tmp;
}

/**
 * Puts a content-addressed folder in place (its name is a hash of what it holds, so any whole
 * copy is as good as another): built under a temporary name and renamed in unless a whole one is
 * already there. Two writers of the same name at once both succeed, the later one keeping the
 * folder the first put there, where writeDirAtomic's swap would fail between its two renames. A
 * folder `isWhole` refuses (damaged on disk) is replaced. Says whether this call's folder is the
 * one in place.
 */
export async function publishDirOnce(
  dir: string,
  build: (tmpDir: string) => Promise<void>,
  isWhole: (dir: string) => Promise<boolean>,
): Promise<'published' | 'existing'> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  await sweepLeftovers(parent);
  const tmp = await buildTemp(dir, tag(), build);
  try {
    // Twice at most: a damaged folder is moved away once; if the name is taken again by then,
    // it was by another writer's whole folder or something is rewriting it as it is published.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await rename(tmp, dir);
        return 'published';
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      }
      if (await isWhole(dir)) return 'existing';
      const old = join(parent, `.${basename(dir)}.${tag()}.old`);
      await rename(dir, old).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      await rm(old, { recursive: true, force: true });
    }
    throw new Error(`${dir} is damaged again as soon as it is replaced: check what else writes into ${parent}, then rerun`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function tag(): string {
  return `${process.pid}.${randomBytes(4).toString('hex')}`;
}

const LEFTOVER = /^\.(.+)\.(\d+)\.([0-9a-f]{8})\.(tmp|old)$/;

/**
 * A writeFileAtomic / writeDirAtomic temporary, `.<name>.<pid>.<tag>.tmp|old`: the artifact it is
 * for, the process that wrote it, and which half of a swap it is; null for any other name.
 */
export function atomicTemp(name: string): { base: string; pid: number; tag: string; kind: 'tmp' | 'old' } | null {
  const m = LEFTOVER.exec(name);
  return m ? { base: m[1]!, pid: Number(m[2]), tag: m[3]!, kind: m[4] as 'tmp' | 'old' } : null;
}

/** Whether process `pid` of this machine still runs (a lock's or a temporary file's writer). */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What sweepLeftovers did with one dead writer's leftovers. */
export interface SweptLeftover {
  /** The artifact the writer was writing. */
  target: string;
  /** finished: its interrupted swap was completed; removed: its partial work was deleted. */
  action: 'finished' | 'removed';
}

/**
 * Clears what writers killed mid-write left in `folder`: temporary files and folders are deleted,
 * and a folder swap interrupted between its two renames (the old folder moved away, the complete
 * new one not yet in place) is finished, so the artifact is never missing. Leftovers of live
 * processes (another fold writing beside this one) are left alone.
 */
export async function sweepLeftovers(folder: string): Promise<SweptLeftover[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const writes = new Map<string, { base: string; tmp?: string; old?: string }>();
  for (const name of names) {
    const t = atomicTemp(name);
    if (!t || isAlive(t.pid)) continue;
    const key = `${t.base}\0${t.pid}.${t.tag}`;
    const w = writes.get(key) ?? { base: t.base };
    w[t.kind] = join(folder, name);
    writes.set(key, w);
  }
  const done: SweptLeftover[] = [];
  const ignoreGone = (err: NodeJS.ErrnoException) => {
    // another process sweeping the same folder got there first
    if (err.code !== 'ENOENT') throw err;
  };
  for (const w of writes.values()) {
    const target = join(folder, w.base);
    const complete = w.old ? (w.tmp ?? w.old) : null;
    if (complete && !existsSync(target)) {
      // Killed mid-swap: the old folder was moved away only after the new one was complete.
      await rename(complete, target).catch(ignoreGone);
      done.push({ target, action: 'finished' });
    } else {
      done.push({ target, action: 'removed' });
    }
    for (const p of [w.tmp, w.old]) if (p && p !== complete) await rm(p, { recursive: true, force: true });
    if (complete && existsSync(complete)) await rm(complete, { recursive: true, force: true });
  }
  return done;
}

const swept = new Set<string>();

/** Sweeps a folder the first time this process writes a file into it (cheap enough for every write). */
async function sweepOnce(folder: string): Promise<void> {
  const key = resolve(folder);
  if (swept.has(key)) return;
  swept.add(key);
  await sweepLeftovers(folder);
}

/** Errors of link(2) that mean no hard link can be made here (another filesystem, none supported), not a failure. */
const NO_LINK = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/** `to` as a hard link to `from` (no second copy on disk), or a copy where no link can be made. */
export async function linkOrCopy(from: string, to: string): Promise<'linked' | 'copied'> {
  try {
    await link(from, to);
    return 'linked';
  } catch (err) {
    if (!NO_LINK.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
  }
  await copyFile(from, to);
  return 'copied';
}
