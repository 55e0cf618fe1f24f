import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
// Narrow entry points: this runs as an Nx runtime input on every pipeline run, and the package's
// index (config schema, zod, artifacts) costs a quarter of a second to load.
import { writeFileAtomic } from '@facemask/contracts/atomic';
import { createProgress } from '@facemask/contracts/progress';
import { listDataFolder } from '@facemask/contracts/data-root';
import { sha256OfFile } from '@facemask/contracts/hash';
import { mapLimit } from '@facemask/contracts/pool';

/**
 * Dataset fingerprint: sha256 over every file under train/ and eval/ (relative path, size and
 * content hash, in path order), which includes train.csv and info.csv. Dot files are left out,
 * as preprocess ignores them. Contents are hashed as streams; a sidecar cache maps
 * (path, size, mtime, ctime, inode) to the content hash so an unchanged data set is
 * re-fingerprinted quickly. mtime alone is not enough: `cp -p` or `touch -r` set it back, while
 * ctime is set by the kernel on every write and a replaced file gets a new inode.
 */

export interface FileHash {
  /** POSIX-style path relative to the data root, e.g. "train/images/000001_female_Asian_45/mask1.jpg". */
  rel: string;
  size: number;
  sha256: string;
}

export interface FingerprintOptions {
  /** Sidecar JSON for (path, size, mtime, ctime, inode) -> hash; null or absent: hash everything. */
  cacheFile?: string | null;
  /** Files hashed at once. */
  concurrency?: number;
  /** Show a progress bar on stderr. */
  progress?: boolean;
}

export const FINGERPRINT_TOP_FOLDERS = ['train', 'eval'] as const;

const STAT_CONCURRENCY = 64;

// Version 1 had no ctime or inode: its entries are ignored, so each file is hashed once more.
const SIDECAR_VERSION = 2;

interface Sidecar {
  version: typeof SIDECAR_VERSION;
  root: string;
  files: Record<string, [size: number, mtimeMs: number, ctimeMs: number, ino: number, sha256: string]>;
}

/** Every file under `rel`, folders listed at once (thousands of person folders). */
async function walk(root: string, rel: string): Promise<string[]> {
  const { entries } = await listDataFolder(join(root, rel), `${rel} folder`);
  const nested = await Promise.all(entries.map((e) => (e.isDir ? walk(root, `${rel}/${e.name}`) : [`${rel}/${e.name}`])));
  return nested.flat();
}


async function loadSidecar(path: string | null | undefined, root: string): Promise<Sidecar['files']> {
  if (!path) return {};
  try {
    const s = JSON.parse(await readFile(path, 'utf8')) as Sidecar;
    return s.version === SIDECAR_VERSION && s.root === root && s.files && typeof s.files === 'object' ? s.files : {};
  } catch {
    return {};
  }
}

/** Every data file (sorted) with its size and modification time, read many at a time. */
async function listWithStats(root: string): Promise<{ rels: string[]; stats: Stats[] }> {
  const rels = (await Promise.all(FINGERPRINT_TOP_FOLDERS.map((top) => walk(root, top)))).flat().sort();
  return { rels, stats: await mapLimit(rels, STAT_CONCURRENCY, (rel) => stat(join(root, rel))) };
}

const unchanged = (k: Sidecar['files'][string] | undefined, st: Stats): k is Sidecar['files'][string] =>
  !!k && k[0] === st.size && k[1] === st.mtimeMs && k[2] === st.ctimeMs && k[3] === st.ino;

export async function hashDataFiles(root: string, opts: FingerprintOptions = {}): Promise<FileHash[]> {
  // Sizes and times first: on an unchanged data set that is all there is to do; only changed
  // files are read, a few at once.
  const { rels, stats } = await listWithStats(root);
  const known = await loadSidecar(opts.cacheFile, root);
  const fresh: Sidecar['files'] = {};
  let changed = false;
  const progress = createProgress({ label: 'fingerprint', total: rels.length, unit: 'files', quiet: !opts.progress });
  const hashes = await mapLimit(rels, opts.concurrency ?? 4, async (rel, i) => {
    const abs = join(root, rel);
    const st = stats[i]!;
    const k = known[rel];
    let sha: string;
    if (unchanged(k, st)) sha = k[4];
    else {
      sha = await sha256OfFile(abs);
      changed = true;
    }
    fresh[rel] = [st.size, st.mtimeMs, st.ctimeMs, st.ino, sha];
    progress.tick();
    return { rel, size: st.size, sha256: sha };
  });
  progress.stop();
  if (opts.cacheFile && (changed || Object.keys(known).length !== rels.length)) {
    const body: Sidecar = { version: SIDECAR_VERSION, root, files: fresh };
    await writeFileAtomic(opts.cacheFile, JSON.stringify(body));
  }
  return hashes;
}

/** One hash over a list of file hashes (order matters: pass them sorted). */
export function combineFileHashes(files: readonly FileHash[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(`${f.rel}\u0000${f.size}\u0000${f.sha256}\n`);
  return h.digest('hex');
}

export async function fingerprintDataRoot(root: string, opts: FingerprintOptions = {}): Promise<string> {
  return combineFileHashes(await hashDataFiles(root, opts));
}

/**
 * The data root's fingerprint when no file was added, removed or changed (size, modification
 * and change time, inode) since the sidecar was written, without reading any content; null when something changed
 * or the root cannot be listed (fingerprintDataRoot then reads and reports). The Nx plugin calls
 * it in its own process, sparing every pipeline run a process that would only confirm this.
 */
export async function fingerprintIfUnchanged(root: string, cacheFile: string): Promise<string | null> {
  try {
    const known = await loadSidecar(cacheFile, root);
    const { rels, stats } = await listWithStats(root);
    if (rels.length !== Object.keys(known).length) return null;
    const files: FileHash[] = [];
    for (const [i, rel] of rels.entries()) {
      const k = known[rel];
      if (!unchanged(k, stats[i]!)) return null;
      files.push({ rel, size: k[0], sha256: k[4] });
    }
    return combineFileHashes(files);
  } catch {
    return null;
  }
}
