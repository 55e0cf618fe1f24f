import { readdir, stat, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Disk full, said once and plainly: which file, how much it needed, where, and what is free there.
 * Node's own error is "ENOSPC: no space left on device, write" with no file and no size.
 */
export class DiskFullError extends Error {
  readonly code = 'ENOSPC';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'DiskFullError';
  }
}

/** ENOSPC, or EDQUOT (a quota, which users meet as the same thing). */
export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** Bytes an unprivileged writer can still use on the file system holding `path` (or its nearest existing parent); null if unknown. */
export async function freeBytes(path: string): Promise<number | null> {
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      const s = await statfs(dir);
      return s.bavail * s.bsize;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(dir) === dir) return null;
    }
  }
}

/** 1536 -> "1.5 kB", 1.4e10 -> "14.0 GB" (decimal units, as df -H prints them). */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

/** Bytes held by the files under `dir` (what a failed build had written). */
export async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries) {
    if (e.isFile()) total += await stat(join(e.parentPath, e.name)).then((s) => s.size, () => 0);
  }
  return total;
}

const FIX = 'Fix: free space there (or set data.work to a folder on a larger disk) and rerun.';

/**
 * The error for a write of `file` that ran out of space. `needed` is the whole write in bytes;
 * `atLeast` marks it a lower bound (a build that stopped part way); `before` words it for a check
 * made before writing. Call it after removing the partial output, so the free space it reports is
 * what a rerun will find.
 */
export async function diskFullError(file: string, needed: number, opts: { atLeast?: boolean; before?: boolean } = {}): Promise<DiskFullError> {
  const folder = dirname(file);
  const free = await freeBytes(folder);
  const need = `${opts.atLeast ? 'more than ' : ''}${formatBytes(needed)}`;
  const has = free === null ? 'its free space is unknown' : `${formatBytes(free)} free there`;
  return new DiskFullError(file, `${opts.before ? 'not enough disk space' : 'disk full'}: writing ${file} needs ${need} in ${folder}, ${has}. ${FIX}`);
}
