import { copyFile, link, mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createProgress,
  hashJson,
  imageCacheIndexArtifact,
  readArtifact,
  workLayout,
  writeArtifact,
  type CacheSplit,
  type ImageCacheIndex,
} from '@facemask/contracts';
import { loadPhoto, PhotoError } from './decode.ts';
import { CACHE_CHANNELS, type CacheTransform } from './transform.ts';
import { forEachOrdered } from './pool.ts';

/**
 * One binary file per split holding every photo after the deterministic transform, uint8 HWC,
 * back to back in index order, plus a JSON index. Training reads batches by index without
 * decoding a JPEG. The index carries a hash of its inputs (ids + file contents) and of the
 * transform, so a later run reuses the cache when neither changed.
 */

export interface CacheInput {
  id: string;
  path: string;
  sha256: string;
}

const STORE_FORMAT = 'u8-hwc-rgb-v1';

export function transformHash(t: CacheTransform): string {
  return hashJson({ format: STORE_FORMAT, centerCrop: t.centerCrop, height: t.height, width: t.width });
}

export function inputsHash(inputs: readonly CacheInput[]): string {
  return hashJson(inputs.map((i) => [i.id, i.sha256]));
}

export interface BuildCacheOptions {
  /** Called for a photo that does not decode; throw to stop the run. */
  onFailure: (input: CacheInput, reason: string) => void;
  /** Decodes in flight. */
  concurrency?: number;
  quiet?: boolean;
}

/** Decodes, transforms and appends each input in order, never holding more than a few photos. */
export async function buildImageCache(
  preprocessDir: string,
  split: CacheSplit,
  inputs: readonly CacheInput[],
  t: CacheTransform,
  opts: BuildCacheOptions,
): Promise<ImageCacheIndex> {
  const files = workLayout.imageCache(preprocessDir, split);
  await mkdir(join(preprocessDir, 'cache'), { recursive: true });
  const bytes = t.height * t.width * CACHE_CHANNELS;
  const ids: string[] = [];
  const failures: ImageCacheIndex['failures'] = [];
  const progress = createProgress({ label: `cache ${split}`, total: inputs.length, unit: 'img', quiet: opts.quiet });
  const fh = await open(files.bin, 'w');
  try {
    await forEachOrdered(
      inputs,
      opts.concurrency ?? 3,
      async (input) => {
        try {
          return await loadPhoto(input.path, t);
        } catch (err) {
          if (err instanceof PhotoError) return err;
          throw err;
        }
      },
      async (result, input) => {
        progress.tick();
        if (result instanceof PhotoError) {
          opts.onFailure(input, result.message);
          failures.push({ id: input.id, reason: result.message });
          return;
        }
        if (result.length !== bytes) throw new Error(`internal: ${input.path} transformed to ${result.length} bytes, expected ${bytes}`);
        let done = 0;
        while (done < result.length) done += (await fh.write(result, done, result.length - done, null)).bytesWritten;
        ids.push(input.id);
      },
    );
  } finally {
    progress.stop();
    await fh.close();
  }
  const index: ImageCacheIndex = {
    split,
    count: ids.length,
    height: t.height,
    width: t.width,
    channels: CACHE_CHANNELS,
    ids,
    inputsHash: inputsHash(inputs),
    transformHash: transformHash(t),
    failures,
  };
  await writeArtifact(imageCacheIndexArtifact, files.index, index);
  return index;
}

/**
 * Links (or copies) an earlier run's store into the new folder when it was built from the same
 * inputs with the same transform; null when it cannot be reused.
 */
export async function reuseImageCache(
  oldPreprocessDir: string,
  newPreprocessDir: string,
  split: CacheSplit,
  inputs: readonly CacheInput[],
  t: CacheTransform,
): Promise<ImageCacheIndex | null> {
  const from = workLayout.imageCache(oldPreprocessDir, split);
  let index: ImageCacheIndex;
  try {
    index = await readArtifact(imageCacheIndexArtifact, from.index);
  } catch {
    return null;
  }
  if (index.inputsHash !== inputsHash(inputs) || index.transformHash !== transformHash(t)) return null;
  const size = await stat(from.bin).then((s) => s.size, () => -1);
  if (size !== index.count * index.height * index.width * index.channels) return null;
  const to = workLayout.imageCache(newPreprocessDir, split);
  await mkdir(join(newPreprocessDir, 'cache'), { recursive: true });
  // A hard link shares the bytes; the old folder can then be swapped away without losing them.
  await link(from.bin, to.bin).catch(() => copyFile(from.bin, to.bin));
  await writeArtifact(imageCacheIndexArtifact, to.index, index);
  return index;
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

/** Opens `<workDir>/preprocess/cache/<split>`; workDir is config.data.work. */
export async function openImageCache(workDir: string, split: CacheSplit): Promise<ImageCache> {
  return openImageCacheIn(workLayout.preprocess(workDir).dir, split);
}

export async function openImageCacheIn(preprocessDir: string, split: CacheSplit): Promise<ImageCache> {
  const files = workLayout.imageCache(preprocessDir, split);
  const index = await readArtifact(imageCacheIndexArtifact, files.index);
  const bytes = index.height * index.width * index.channels;
  let fh: FileHandle;
  try {
    fh = await open(files.bin, 'r');
  } catch (err) {
    throw new Error(`image cache ${files.bin} cannot be opened (${(err as Error).message}): rerun \`nx run preprocess:run\``);
  }
  const { size } = await fh.stat();
  if (size !== index.count * bytes) {
    await fh.close();
    throw new Error(`image cache ${files.bin} has ${size} bytes, its index expects ${index.count * bytes}: rerun \`nx run preprocess:run\``);
  }
  let closed = false;
  return {
    count: index.count,
    height: index.height,
    width: index.width,
    channels: index.channels,
    ids: index.ids,
    async read(indices) {
      if (closed) throw new Error(`image cache ${files.bin} is closed`);
      const out = new Uint8Array(indices.length * bytes);
      let i = 0;
      while (i < indices.length) {
        // Consecutive indices become one read.
        const first = indices[i]!;
        let run = 1;
        while (i + run < indices.length && indices[i + run] === first + run) run++;
        for (let j = i; j < i + run; j++) {
          const v = indices[j]!;
          if (!Number.isInteger(v) || v < 0 || v >= index.count) {
            throw new RangeError(`image cache ${split}: index ${v} out of range 0..${index.count - 1}`);
          }
        }
        const len = run * bytes;
        let done = 0;
        while (done < len) {
          const { bytesRead } = await fh.read(out, i * bytes + done, len - done, first * bytes + done);
          if (bytesRead === 0) throw new Error(`image cache ${files.bin}: file ended early at photo ${first}`);
          done += bytesRead;
        }
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
