import { randomBytes } from 'node:crypto';
import type { ReadStream } from 'node:fs';
import { link, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { isValidHash } from './hash.ts';

/** A temporary file nobody has written to for this long belongs to a server that died mid-upload. */
const STALE_TEMP_MS = 60 * 60 * 1000;
const TEMP_PREFIX = '.upload-';

export type PutResult = 'stored' | 'exists';

/** The body ended before Content-Length bytes arrived, or ran past it. */
export class IncompleteUpload extends Error {}

/**
 * Cache entries as files named by their hash in one folder. An upload streams into a temporary
 * file in the same folder and is linked into place whole, so a reader sees an entry completely or
 * not at all, and a server killed mid-upload leaves only a temporary file (removed at the next
 * start once stale). Two uploads of one hash: the first link wins, the second is told the entry
 * exists (the spec's 409).
 */
export class DirStore {
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Creates the folder if needed, checks it takes files, and clears stale temporary files. */
  static async open(dir: string): Promise<DirStore> {
    const abs = resolve(dir);
    try {
      await mkdir(abs, { recursive: true });
      const probe = join(abs, `${TEMP_PREFIX}probe-${process.pid}-${randomBytes(4).toString('hex')}`);
      await (await open(probe, 'wx')).close();
      await unlink(probe);
    } catch (err) {
      throw new Error(`cache folder ${abs} is not a writable folder (${(err as Error).message}): pass --dir a folder this user can write`);
    }
    const store = new DirStore(abs);
    await store.removeStaleTemps(Date.now() - STALE_TEMP_MS);
    return store;
  }

  private entry(hash: string): string {
    // Checked again here, so no caller can reach a path with an unchecked name.
    if (!isValidHash(hash)) throw new Error(`invalid hash "${hash}"`);
    return join(this.dir, hash);
  }

  async has(hash: string): Promise<boolean> {
    try {
      await stat(this.entry(hash));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** The entry's bytes and size, or null when there is none. */
  async get(hash: string): Promise<{ size: number; stream: ReadStream } | null> {
    const file = this.entry(hash);
    try {
      const handle = await open(file, 'r');
      const { size } = await handle.stat();
      return { size, stream: handle.createReadStream() };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /**
   * Stores exactly `length` bytes of `body` under `hash`. Rejects with IncompleteUpload when the
   * body ends early or runs long, and with the stream's error when the client goes away; in every
   * failure no entry appears and the temporary file is removed.
   */
  async put(hash: string, body: Readable, length: number): Promise<PutResult> {
    const final = this.entry(hash);
    const temp = join(this.dir, `${TEMP_PREFIX}${hash}-${process.pid}-${randomBytes(6).toString('hex')}`);
    const handle = await open(temp, 'wx');
    try {
      let seen = 0;
      // Iterated rather than piped: pipeline() waits for the request's 'close', which Node emits
      // only once the response is done, so it would wait for the answer it is meant to produce.
      for await (const chunk of body as AsyncIterable<Buffer>) {
        seen += chunk.length;
        if (seen > length) throw new IncompleteUpload(`body longer than its Content-Length (${length})`);
        for (let at = 0; at < chunk.length; ) at += (await handle.write(chunk, at)).bytesWritten;
      }
      if (seen !== length) throw new IncompleteUpload(`body of ${seen} bytes, Content-Length ${length}`);
      // On disk before it becomes visible: a crash after the link must not leave an empty entry.
      await handle.sync();
      await handle.close();
      return await publish(temp, final);
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  private async removeStaleTemps(olderThan: number): Promise<void> {
    for (const name of await readdir(this.dir)) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      const file = join(this.dir, name);
      const s = await stat(file).catch(() => null);
      if (s && s.mtimeMs < olderThan) await unlink(file).catch(() => undefined);
    }
  }
}

/** Makes `temp` visible as `final` unless `final` exists; the caller removes `temp`. */
async function publish(temp: string, final: string): Promise<PutResult> {
  try {
    // link() fails on an existing name, unlike rename(): no upload replaces an entry.
    await link(temp, final);
    return 'stored';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return 'exists';
    // Some shared filesystems have no hard links; rename is still atomic there, and a racing
    // upload of the same hash carries the same task's output.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV') {
      await rename(temp, final);
      return 'stored';
    }
    throw err;
  }
}
