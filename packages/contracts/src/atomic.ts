import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { bytesUnder, diskFullError, DiskFullError, isDiskFull } from './disk.ts';

/**
 * Artifacts are written to a temporary sibling and renamed into place, so a crash or a failed
 * run never leaves a half-written file where a reader expects a whole one.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    if (isDiskFull(err)) throw await diskFullError(path, typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength);
    throw err;
  }
}

/**
 * Build a whole directory under a temporary name, then swap it in. The old directory (if any)
 * survives until the new one is complete.
 */
export async function writeDirAtomic(dir: string, build: (tmpDir: string) => Promise<void>): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const tag = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const tmp = join(parent, `.${basename(dir)}.${tag}.tmp`);
  const old = join(parent, `.${basename(dir)}.${tag}.old`);
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
  let moved = false;
  try {
    await rename(dir, old);
    moved = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await rename(tmp, dir);
  if (moved) await rm(old, { recursive: true, force: true });
}
