import { createHash } from 'node:crypto';
import { open, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import {
  faultPoint,
  bytesUnder,
  createProgress,
  dataFile,
  diskFullError,
  freeBytes,
  hashJson,
  imageCacheIndexArtifact,
  isDiskFull,
  readArtifact,
  sha256OfFile,
  sharedRunsFolder,
  shownPaths,
  workLayout,
  WORKSPACE_ROOT,
  publishDirOnce,
  writeArtifact,
  CACHE_SPLITS,
  type CacheSplit,
  type ImageCacheIndex,
} from '@facemask/contracts';
import { DECODER } from '@facemask/augment/decode';
import { loadPhoto, PhotoError } from './decode.ts';
import { writeFully } from './file-io.ts';
import { CACHE_CHANNELS, PIXELS_FORMAT, type CacheTransform } from './transform.ts';
import type { HandedCrops } from './crop-handoff.ts';
import { readFaceCrop } from './face-crop.ts';
import { forEachOrdered } from '@facemask/contracts';
import { atomicTemp, isAlive } from '@facemask/contracts/atomic';

/**
 * The pixel stores: one binary file per (photos, transform) holding every photo after the
 * deterministic transform, uint8 HWC, back to back in input order, plus its index, in
 * `<data.work>/.cache/images/<key>/`. The key hashes the ordered inputs (id + content sha256) and
 * the transform, so a later run with the same photos finds the store whatever else changed, and
 * the store stays out of preprocess's Nx output (Nx would copy gigabytes into its cache). The
 * output's index names the store and carries the pixels' sha256, so downstream keys still change
 * with the pixels.
 */

export interface CacheInput {
  id: string;
  /**
   * The photo relative to the data root (contracts' dataRelative), as the index records it: the
   * index is part of later tasks' Nx keys and restored as-is where the root lies elsewhere.
   */
  path: string;
  sha256: string;
}


export function transformHash(t: CacheTransform): string {
  // Without a face crop the hash is what it always was, so existing stores stay valid.
  const face = t.faceCrop ? { faceCrop: { options: t.faceCrop.options, detections: t.faceCrop.detectionsHash } } : {};
  return hashJson({ format: PIXELS_FORMAT, decoder: DECODER, centerCrop: t.centerCrop, height: t.height, width: t.width, ...face });
}

export function inputsHash(inputs: readonly CacheInput[]): string {
  return hashJson(inputs.map((i) => [i.id, i.sha256]));
}

export function storeKey(inputs: readonly CacheInput[], t: CacheTransform): string {
  return hashJson({ inputs: inputsHash(inputs), transform: transformHash(t) });
}

export interface StoreOptions {
  /** Called for a photo that does not decode, with what to do about it; throw to stop the run. */
  onFailure?: (input: CacheInput, reason: string, fix: string) => void;
  /** Decodes in flight. */
  concurrency?: number;
  quiet?: boolean;
  /** Where the rebuild of a damaged store is announced (default: stderr). */
  log?: (line: string) => void;
  /** Crops detect made from its own decode of the photos (crop-handoff.ts): taken instead of decoding again. */
  handoff?: HandedCrops | null;
}

export interface BuildOptions extends StoreOptions {
  /** The data root the inputs' paths are relative to (config.data.root). */
  root: string;
}

/**
 * The store's index when the store is whole: index readable, pixel file of the size it says and
 * with the sha256 recorded when it was written (a same-size overwrite is found too); else why not.
 */
export async function checkImageStore(work: string, key: string): Promise<{ index: ImageCacheIndex } | { missing: true } | { corrupt: string }> {
  const store = workLayout.imageStore(work, key);
  const index = await readArtifact(imageCacheIndexArtifact, store.index).catch(() => null);
  if (!index || index.store !== key) return { missing: true };
  const size = await stat(store.pixels).then((s) => s.size, () => -1);
  if (size !== index.count * index.height * index.width * index.channels) return { missing: true };
  const sha = await sha256OfFile(store.pixels);
  if (sha !== index.pixelsSha256) return { corrupt: `${store.pixels} has sha256 ${sha.slice(0, 12)}, not the ${index.pixelsSha256.slice(0, 12)} recorded when it was written` };
  return { index };
}

/** The store's index when it is whole (checkImageStore), else null. */
export async function findImageStore(work: string, key: string): Promise<ImageCacheIndex | null> {
  const found = await checkImageStore(work, key);
  return 'index' in found ? found.index : null;
}

/**
 * The split's store for these inputs: found (`reused`) or built. Photos that do not decode go to
 * `onFailure`, also when the store is reused (its index lists them), so a rerun reports the same.
 */
export async function ensureImageStore(
  work: string,
  split: CacheSplit,
  inputs: readonly CacheInput[],
  t: CacheTransform,
  opts: BuildOptions,
): Promise<{ index: ImageCacheIndex; reused: boolean; handedOver: number }> {
  const key = storeKey(inputs, t);
  // Marks the store as in use for another run's prune (pruneImageStores), until this run's
  // preprocess output names it.
  const now = new Date();
  await utimes(workLayout.imageStore(work, key).dir, now, now).catch(() => {});
  const checked = await checkImageStore(work, key);
  if ('corrupt' in checked) (opts.log ?? ((line: string) => console.error(line)))(`image store ${split}: ${shownPaths(checked.corrupt, WORKSPACE_ROOT)} (changed on disk since): rebuilding it`);
  const found = 'index' in checked ? checked.index : null;
  if (found) {
    const byId = new Map(inputs.map((i) => [i.id, i]));
    for (const f of found.failures) opts.onFailure?.(byId.get(f.id) ?? { id: f.id, path: f.id, sha256: '' }, f.reason, f.fix);
    return { index: found, reused: true, handedOver: 0 };
  }
  let handedOver = 0;
  const index = await buildStore(work, key, inputs, t, { ...opts, label: `cache ${split}` }, () => true, (r) => {
    handedOver = r.handedOver;
    return {
      split,
      count: r.ids.length,
      height: t.height,
      width: t.width,
      channels: CACHE_CHANNELS,
      centerCrop: t.centerCrop,
      faceCrop: t.faceCrop?.options ?? null,
      store: key,
      pixelsSha256: r.pixelsSha256,
      ids: r.ids,
      sources: r.sources,
      inputsHash: inputsHash(inputs),
      transformHash: transformHash(t),
      failures: r.failures,
    };
  });
  return { index, reused: false, handedOver };
}

/**
 * Rebuilds the store an index names (deleted, pruned by a later preprocess run, or never here:
 * a preprocess output restored from Nx's cache) from the photos the index lists. Each photo must
 * still have the content it had, and the pixels must come out as they did (same sha256).
 */
export async function restoreImageStore(work: string, index: ImageCacheIndex, opts: BuildOptions): Promise<void> {
  const inputs = index.ids.map((id, i) => ({ id, ...index.sources[i]! }));
  // A face-cropped store is rebuilt around the same detections (the detect stage's output).
  const faceCrop = index.faceCrop ? await readFaceCrop(work, opts.root, index.faceCrop) : null;
  const t: CacheTransform = { centerCrop: index.centerCrop, height: index.height, width: index.width, faceCrop };
  const rerun = 'rerun `nx run preprocess:run --skip-nx-cache`';
  // A store another run put in place meanwhile serves only with the pixels this index recorded.
  const same = (found: ImageCacheIndex) => found.pixelsSha256 === index.pixelsSha256;
  await buildStore(work, index.store, inputs, t, { ...opts, label: `rebuild ${index.split}`, verifySources: rerun }, same, (r) => {
    if (r.pixelsSha256 !== index.pixelsSha256) {
      throw new Error(
        `rebuilt ${index.split} image store ${index.store} has other pixels than preprocess recorded (sha256 ${r.pixelsSha256.slice(0, 12)} vs ${index.pixelsSha256.slice(0, 12)}: another sharp/libvips build decodes differently): ${rerun}, so the stages after it key on these pixels`,
      );
    }
    return index;
  });
}

interface Written {
  ids: string[];
  sources: ImageCacheIndex['sources'];
  failures: ImageCacheIndex['failures'];
  pixelsSha256: string;
  /** Photos whose crop came from the handoff, not a decode. */
  handedOver: number;
}

/**
 * Decodes, transforms and appends each input in order into a new store, never holding more than a
 * few photos, and publishes it (publishDirOnce): the runs of a runs folder share the store, and two
 * of them building it at once both succeed, the later keeping the store the first put in place
 * (same key, same photos and transform) when it is whole and `serves` accepts its index; a
 * damaged one is replaced. Resolves to the index of the store in place.
 */
async function buildStore(
  work: string,
  key: string,
  inputs: readonly CacheInput[],
  t: CacheTransform,
  opts: BuildOptions & { label: string; verifySources?: string },
  serves: (found: ImageCacheIndex) => boolean,
  indexOf: (w: Written) => ImageCacheIndex,
): Promise<ImageCacheIndex> {
  const store = workLayout.imageStore(work, key);
  const bytes = t.height * t.width * CACHE_CHANNELS;
  const needed = inputs.length * bytes;
  // Fail before hours of decoding, not at the end of them.
  const free = await freeBytes(workLayout.imageStores(work));
  if (free !== null && free < needed) throw await diskFullError(store.pixels, needed, { before: true });
  let built: ImageCacheIndex | undefined;
  // The other run's store as publishDirOnce found it whole, so it is not hashed twice.
  let existing: ImageCacheIndex | undefined;
  try {
    const outcome = await publishDirOnce(
      store.dir,
      async (tmp) => {
        const written = await writePixels(join(tmp, 'pixels.u8'), inputs, t, bytes, opts);
        built = indexOf(written);
        await writeArtifact(imageCacheIndexArtifact, join(tmp, 'index.json'), built);
      },
      async () => {
        const found = await checkImageStore(work, key);
        existing = 'index' in found && serves(found.index) ? found.index : undefined;
        return existing !== undefined;
      },
    );
    return outcome === 'existing' ? existing! : built!;
  } catch (err) {
    // publishDirOnce has removed the partial store: say what the whole store needs.
    if (isDiskFull(err)) throw await diskFullError(store.pixels, needed);
    throw err;
  }
}

async function writePixels(
  file: string,
  inputs: readonly CacheInput[],
  t: CacheTransform,
  bytes: number,
  opts: BuildOptions & { label: string; verifySources?: string },
): Promise<Written> {
  const out: Written = { ids: [], sources: [], failures: [], pixelsSha256: '', handedOver: 0 };
  const sha = createHash('sha256');
  const progress = createProgress({ label: opts.label, total: inputs.length, unit: 'img', quiet: opts.quiet });
  const fh = await open(file, 'w');
  try {
    await forEachOrdered(
      inputs,
      opts.concurrency ?? 3,
      async (input) => {
        const file = dataFile(opts.root, input.path);
        if (opts.verifySources) {
          const now = await sha256OfFile(file).catch(() => 'gone');
          if (now !== input.sha256) throw new Error(`${file} ${now === 'gone' ? 'is gone' : 'changed'} since preprocess cached it (data.root ${opts.root}): ${opts.verifySources}`);
        }
        const handed = await opts.handoff?.take(input, file);
        if (handed) {
          out.handedOver++;
          return handed;
        }
        try {
          return await loadPhoto(file, t);
        } catch (err) {
          if (err instanceof PhotoError && !opts.verifySources) return err;
          throw err;
        }
      },
      async (result, input) => {
        progress.tick();
        if (result instanceof PhotoError) {
          opts.onFailure?.(input, result.message, result.fix);
          out.failures.push({ id: input.id, reason: result.message, fix: result.fix });
          return;
        }
        if (result.length !== bytes) throw new Error(`internal: ${dataFile(opts.root, input.path)} transformed to ${result.length} bytes, expected ${bytes}`);
        await writeFully(fh, result);
        sha.update(result);
        out.ids.push(input.id);
        out.sources.push({ path: input.path, sha256: input.sha256 });
        faultPoint('cache-photo');
      },
    );
  } finally {
    progress.stop();
    await fh.close();
  }
  out.pixelsSha256 = sha.digest('hex');
  return out;
}

/**
 * A store opened within this time is left alone by another run's prune: that run may be between
 * finding the store and writing the preprocess output that names it (see ensureImageStore).
 */
export const SHARED_STORE_GRACE_MS = 60 * 60 * 1000;

/**
 * The stores named by the preprocess output of each work folder in `runs` (finished, or being
 * written by a live process: its `.preprocess.<pid>.<hex>.tmp|old` folder).
 */
async function storesNamedByRuns(runs: string): Promise<Set<string>> {
  const named = new Set<string>();
  const entries = await readdir(runs, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const work = join(runs, entry.name);
    const live = workLayout.preprocess(work).dir;
    const inProgress = (await readdir(work).catch(() => [] as string[])).filter((n) => {
      const t = atomicTemp(n);
      return t !== null && t.base === 'preprocess' && isAlive(t.pid);
    });
    for (const dir of [live, ...inProgress.map((n) => join(work, n))]) {
      for (const split of CACHE_SPLITS) {
        const index = await readArtifact(imageCacheIndexArtifact, workLayout.imageCache(dir, split).index).catch(() => null);
        if (index) named.add(index.store);
      }
    }
  }
  return named;
}

/**
 * Removes every store but `keep` (the ones the live preprocess output names), and what a killed
 * build left behind; a build still running (its process alive) is left alone. One store per
 * split stays on disk: a preprocess output Nx restores later rebuilds its store when opened.
 * Stores shared by the work folders of a runs folder (workLayout.imageStores) are removed only
 * when no run's preprocess output names them, finished or in progress, and no run opened them
 * within SHARED_STORE_GRACE_MS: never from under another run.
 */
export async function pruneImageStores(work: string, keep: ReadonlySet<string>): Promise<{ removed: string[]; bytes: number }> {
  const dir = workLayout.imageStores(work);
  const runs = sharedRunsFolder(work);
  const kept = runs === null ? keep : new Set([...keep, ...(await storesNamedByRuns(runs))]);
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  let bytes = 0;
  for (const name of names) {
    if (kept.has(name)) continue;
    const temp = atomicTemp(name);
    if (temp && temp.pid !== process.pid && isAlive(temp.pid)) continue;
    const path = join(dir, name);
    if (runs !== null && !temp) {
      const opened = await stat(path).then((s) => s.mtimeMs, () => 0);
      if (Date.now() - opened < SHARED_STORE_GRACE_MS) continue;
    }
    bytes += await bytesUnder(path);
    await rm(path, { recursive: true, force: true });
    removed.push(name);
  }
  return { removed, bytes };
}
