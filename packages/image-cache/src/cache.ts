import { open, stat, type FileHandle } from 'node:fs/promises';
import { imageCacheIndexArtifact, readArtifact, sha256OfFile, workLayout, type CacheSplit } from '@facemask/contracts';
import { restoreImageStore } from './store.ts';
import { readFully } from './file-io.ts';

/**
 * Training reads batches of cached pixels by index, without decoding a JPEG: the preprocess
 * output's index names the split's store (store.ts) and this opens it.
 */

export interface OpenCacheOptions {
  /**
   * The data root (config.data.root): the index names its photos relative to it, and a missing
   * store is rebuilt from them.
   */
  root: string;
  /** Where the rebuild of a missing store is announced (default: stderr). */
  log?: (line: string) => void;
  /** No progress bar while rebuilding a missing store. */
  quiet?: boolean;
  /** Decodes in flight while rebuilding. */
  concurrency?: number;
}

/** Random access to a split's cached pixels. */
export interface ImageCache {
  count: number;
  height: number;
  width: number;
  channels: number;
  ids: readonly string[];
  /** Pixels of the given photos, uint8 [indices.length, height, width, channels]. */
  read(indices: readonly number[]): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * Opens the split's pixels for the preprocess output in `<work>/preprocess` (work is
 * config.data.work). A store that is gone (deleted, pruned by a later preprocess run, or never on
 * this disk: the output came from Nx's cache) or damaged (not the recorded sha256) is rebuilt from
 * the photos its index lists, checked against the recorded content and pixel hashes.
 */
export async function openImageCache(work: string, split: CacheSplit, opts: OpenCacheOptions): Promise<ImageCache> {
  const indexFile = workLayout.imageCache(workLayout.preprocess(work).dir, split).index;
  const index = await readArtifact(imageCacheIndexArtifact, indexFile);
  const files = workLayout.imageStore(work, index.store);
  const bytes = index.height * index.width * index.channels;
  // Stores are put in place whole (publishDirOnce), but a file can still be overwritten in place:
  // every open hashes the pixels (a streaming read, seconds for gigabytes, against hours of training).
  let problem: string | null = null;
  if ((await stat(files.pixels).then((st) => st.size, () => -1)) !== index.count * bytes) problem = 'is missing or incomplete';
  else if ((await sha256OfFile(files.pixels)) !== index.pixelsSha256) problem = 'does not have the sha256 recorded when it was written (changed on disk since)';
  if (problem) {
    const log = opts.log ?? ((line: string) => console.error(line));
    log(`image store ${files.dir} (named by ${indexFile}) ${problem}: rebuilding it from its ${index.count} photos`);
    await restoreImageStore(work, index, { root: opts.root, quiet: opts.quiet, concurrency: opts.concurrency });
  }
  // Only what reading needs is kept: the index's per-photo sources are for rebuilding.
  const { count, height, width, channels, ids } = index;
  let fh: FileHandle;
  try {
    fh = await open(files.pixels, 'r');
  } catch (err) {
    throw new Error(`image store ${files.pixels} cannot be opened (${(err as Error).message}): rerun \`nx run preprocess:run --skip-nx-cache\``);
  }
  const { size } = await fh.stat();
  if (size !== count * bytes) {
    await fh.close();
    throw new Error(`image store ${files.pixels} has ${size} bytes, its index expects ${count * bytes}: rerun \`nx run preprocess:run --skip-nx-cache\``);
  }
  let closed = false;
  return {
    count,
    height,
    width,
    channels,
    ids,
    async read(indices) {
      if (closed) throw new Error(`image cache ${files.pixels} is closed`);
      const out = new Uint8Array(indices.length * bytes);
      let i = 0;
      while (i < indices.length) {
        // Consecutive indices become one read.
        const first = indices[i]!;
        let run = 1;
        while (i + run < indices.length && indices[i + run] === first + run) run++;
        for (let j = i; j < i + run; j++) {
          const v = indices[j]!;
          if (!Number.isInteger(v) || v < 0 || v >= count) {
            throw new RangeError(`image cache ${split}: index ${v} out of range 0..${count - 1}`);
          }
        }
        const len = run * bytes;
        await readFully(fh, out, i * bytes, len, first * bytes, () => `image cache ${files.pixels}: file ended early at photo ${first}`);
        i += run;
      }
      return out;
    },
    async close() {
      if (!closed) {
        closed = true;
        await fh.close();
      }
    },
  };
}
