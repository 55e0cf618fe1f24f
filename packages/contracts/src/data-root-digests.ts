import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import { sha256OfFile } from './hash.ts';
import { mapLimit } from './pool.ts';
import { createProgress } from './progress.ts';

/**
 * Content sha256 of data root files with a sidecar that remembers each one's (size, mtime, ctime,
 * inode) when it was read, so an unchanged file is never read again: preprocess's fingerprint and
 * detect's store key both take their digests here, from the same sidecar
 * (workLayout.fingerprintSidecar), and a photo one of them read is not read by the other.
 *
 * mtime alone is not enough: `cp -p` or `touch -r` set it back, while the kernel sets ctime on
 * every write and a replaced file gets a new inode.
 */

export interface FileDigest {
  /** POSIX-style path relative to the data root, e.g. "train/images/000001_female_Asian_45/mask1.jpg". */
  rel: string;
  size: number;
  sha256: string;
}

export interface DigestOptions {
  /** The sidecar JSON; null or absent: read every file. */
  sidecar?: string | null;
  /**
   * `rels` is every file the sidecar is for (preprocess's whole listing): entries of other files
   * are dropped as gone. Otherwise (detect's photos, a part of that listing) they are kept.
   */
  complete?: boolean;
  /** Files read at once. */
  concurrency?: number;
  /** A progress bar on stderr while reading; absent: none. */
  progress?: { label: string; unit: string };
  /** The sha256 of a file's bytes (default sha256OfFile); the tests count reads through it. */
  readDigest?: (file: string) => Promise<string>;
  /** A file that cannot be read: its stand-in digest, never stored in the sidecar. Absent: the error is thrown. */
  unreadable?: (err: NodeJS.ErrnoException) => string;
}

const STAT_CONCURRENCY = 64;

// Version 1 had no ctime or inode: its entries are ignored, so each file is read once more.
const SIDECAR_VERSION = 2;

type Entry = [size: number, mtimeMs: number, ctimeMs: number, ino: number, sha256: string];

interface Sidecar {
  version: typeof SIDECAR_VERSION;
  /** The data root the entries are relative to: another root's entries say nothing of this one's. */
  root: string;
  files: Record<string, Entry>;
}

const SHA256 = /^[0-9a-f]{64}$/;

const isEntry = (e: unknown): e is Entry =>
  Array.isArray(e) && e.length === 5 && e.slice(0, 4).every((n) => typeof n === 'number') && typeof e[4] === 'string' && SHA256.test(e[4]);

/** The sidecar's entries for `root`; a missing, unreadable, older or other root's sidecar, or a malformed entry, is no entry. */
async function loadSidecar(path: string | null | undefined, root: string): Promise<Map<string, Entry>> {
  if (!path) return new Map();
  let s: Partial<Sidecar> | null;
  try {
    s = JSON.parse(await readFile(path, 'utf8')) as Partial<Sidecar> | null;
  } catch {
    return new Map();
  }
  if (!s || s.version !== SIDECAR_VERSION || s.root !== root || !s.files || typeof s.files !== 'object') return new Map();
  return new Map(Object.entries(s.files).filter((kv): kv is [string, Entry] => isEntry(kv[1])));
}

const unchanged = (k: Entry | undefined, st: Stats): k is Entry => !!k && k[0] === st.size && k[1] === st.mtimeMs && k[2] === st.ctimeMs && k[3] === st.ino;

const entryOf = (st: Stats, sha256: string): Entry => [st.size, st.mtimeMs, st.ctimeMs, st.ino, sha256];

/**
 * Each file's size and content sha256, in the order of `rels`. Sizes and times first: on an
 * unchanged data root that is all there is to do; only files the sidecar does not know as they
 * are now are read, a few at once, and the sidecar is rewritten when one was.
 */
export async function digestDataFiles(root: string, rels: readonly string[], opts: DigestOptions = {}): Promise<FileDigest[]> {
  const read = opts.readDigest ?? sha256OfFile;
  const failed = (err: unknown): string => {
    if (!opts.unreadable) throw err;
    return opts.unreadable(err as NodeJS.ErrnoException);
  };
  const stats = await mapLimit(rels, STAT_CONCURRENCY, (rel) => stat(join(root, rel)).catch((err: unknown) => failed(err)));
  const known = await loadSidecar(opts.sidecar, root);
  const fresh = new Map<string, Entry>();
  let changed = false;
  const progress = createProgress({ label: opts.progress?.label ?? '', total: rels.length, unit: opts.progress?.unit, quiet: !opts.progress });
  try {
    const digestOf = async (rel: string, st: Stats | string): Promise<FileDigest> => {
      if (typeof st === 'string') return { rel, size: 0, sha256: st };
      const k = known.get(rel);
      if (unchanged(k, st)) {
        fresh.set(rel, k);
        return { rel, size: st.size, sha256: k[4] };
      }
      let sha256: string;
      try {
        sha256 = await read(join(root, rel));
      } catch (err) {
        return { rel, size: st.size, sha256: failed(err) };
      }
      fresh.set(rel, entryOf(st, sha256));
      changed = true;
      return { rel, size: st.size, sha256 };
    };
    const digests = await mapLimit(rels, opts.concurrency ?? 4, async (rel, i) => {
      const d = await digestOf(rel, stats[i]!);
      progress.tick();
      return d;
    });
    const gone = opts.complete && [...known.keys()].some((rel) => !fresh.has(rel));
    if (opts.sidecar && (changed || gone)) {
      const files = opts.complete ? fresh : new Map([...known, ...fresh]);
      const body: Sidecar = { version: SIDECAR_VERSION, root, files: Object.fromEntries(files) };
      await writeFileAtomic(opts.sidecar, JSON.stringify(body));
    }
    return digests;
  } finally {
    progress.stop();
  }
}

/**
 * The digests of `rels` when the sidecar knows every one as it is now and (`complete`) no other,
 * without reading any content; null when a file is new, changed, gone or cannot be stat'ed.
 */
export async function digestsIfUnchanged(root: string, rels: readonly string[], sidecar: string, opts: { complete?: boolean } = {}): Promise<FileDigest[] | null> {
  const known = await loadSidecar(sidecar, root);
  if (opts.complete && known.size !== rels.length) return null;
  let stats: Stats[];
  try {
    stats = await mapLimit(rels, STAT_CONCURRENCY, (rel) => stat(join(root, rel)));
  } catch {
    return null;
  }
  const out: FileDigest[] = [];
  for (const [i, rel] of rels.entries()) {
    const k = known.get(rel);
    if (!unchanged(k, stats[i]!)) return null;
    out.push({ rel, size: k[0], sha256: k[4] });
  }
  return out;
}
