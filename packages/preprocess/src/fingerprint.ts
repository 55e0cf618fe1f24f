import { createHash } from 'node:crypto';
import { join } from 'node:path';
// Narrow entry points: this runs as an Nx runtime input on every pipeline run, and the package's
// index (config schema, zod, artifacts) costs a quarter of a second to load.
import { digestDataFiles, digestsIfUnchanged, listDataFolder, type FileDigest } from '@facemask/contracts/data-root';

/**
 * Dataset fingerprint: sha256 over every file under train/ and eval/ (relative path, size and
 * content hash, in path order), which includes train.csv and info.csv. Dot files are left out,
 * as preprocess ignores them. Each file's content hash comes from contracts' digestDataFiles,
 * whose sidecar (shared with detect's store key) spares reading a file that did not change.
 */

export type FileHash = FileDigest;

export interface FingerprintOptions {
  /** The per-file digest sidecar (workLayout.fingerprintSidecar); null or absent: hash everything. */
  cacheFile?: string | null;
  /** Files hashed at once. */
  concurrency?: number;
  /** Show a progress bar on stderr. */
  progress?: boolean;
}

export const FINGERPRINT_TOP_FOLDERS = ['train', 'eval'] as const;

/** Every file under `rel`, folders listed at once (thousands of person folders). */
async function walk(root: string, rel: string): Promise<string[]> {
  const { entries } = await listDataFolder(join(root, rel), `${rel} folder`);
  const nested = await Promise.all(entries.map((e) => (e.isDir ? walk(root, `${rel}/${e.name}`) : [`${rel}/${e.name}`])));
  return nested.flat();
}

/** Every data file, sorted. */
async function listDataFiles(root: string): Promise<string[]> {
  return (await Promise.all(FINGERPRINT_TOP_FOLDERS.map((top) => walk(root, top)))).flat().sort();
}

export async function hashDataFiles(root: string, opts: FingerprintOptions = {}): Promise<FileHash[]> {
  // complete: the listing is every file the sidecar is for, so a deleted file's entry goes.
  return digestDataFiles(root, await listDataFiles(root), {
    sidecar: opts.cacheFile,
    complete: true,
    concurrency: opts.concurrency,
    progress: opts.progress ? { label: 'fingerprint', unit: 'files' } : undefined,
  });
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
    const files = await digestsIfUnchanged(root, await listDataFiles(root), cacheFile, { complete: true });
    return files && combineFileHashes(files);
  } catch {
    return null;
  }
}
