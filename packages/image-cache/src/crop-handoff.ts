import { createHash } from 'node:crypto';
import { open, rm, stat } from 'node:fs/promises';
import {
  cropHandoffArtifact,
  hashJson,
  inDir,
  readArtifact,
  sha256OfFile,
  shownPaths,
  workLayout,
  WORKSPACE_ROOT,
  writeArtifact,
  writeDirAtomic,
  CROP_HANDOFF_FILES,
  type CropHandoff,
  type DetectionRecord,
} from '@facemask/contracts';
import { DECODER } from '@facemask/augment/decode';
import { readFully, writeFully } from './file-io.ts';
import { CACHE_CHANNELS, PIXELS_FORMAT, type CacheTransform } from './transform.ts';
import type { HandoffCrop } from './crop-hook.ts';

/*
 * The crop handoff: detect decodes every photo to find its face, and while it has the pixels it
 * makes the image cache's crop too (crop-hook.ts, in its worker processes); preprocess then takes
 * those crops instead of decoding each photo a second time. Not a store: a run's own folder
 * (workLayout.cropHandoff), written once by detect and removed by preprocess when its stores are
 * in place. Detect's Nx key stays free of the crop options (a margin change never reruns it), so
 * preprocess checks each crop it takes against what it would make: the same photo content, the
 * same detection record, the same options, decoder and format. Anything else it decodes itself.
 */

/** Adds a photo's crop (in input order, as detectFiles hands records on). */
export type AddCrop = (path: string, sha256: string, record: DetectionRecord, pixels: Uint8Array) => void;

/** What became of the handoff: the photos it holds, or why none (detection's result stands either way). */
export type HandoffOutcome = { photos: number } | { failed: string };

/**
 * Runs `detect` (the detection pass), collecting the crops it adds into
 * `workLayout.cropHandoff(work)`, put in place whole (temp folder + swap) when the pass ends. A
 * failure to write the handoff (a full disk) never fails the pass: preprocess decodes instead.
 */
export async function buildCropHandoff<T>(work: string, crop: HandoffCrop, detect: (add: AddCrop) => Promise<T>): Promise<{ result: T; handoff: HandoffOutcome }> {
  const { dir } = workLayout.cropHandoff(work);
  const bytes = crop.height * crop.width * CACHE_CHANNELS;
  const photos: CropHandoff['photos'] = [];
  let failed: string | null = null;
  let result: { value: T } | null = null;
  let started = false;
  try {
    await writeDirAtomic(dir, async (tmp) => {
      const out = inDir(tmp, CROP_HANDOFF_FILES);
      const fh = await open(out.pixels, 'w');
      const sha = createHash('sha256');
      let writing = Promise.resolve();
      const add: AddCrop = (path, sha256, record, pixels) => {
        if (failed !== null) return;
        if (pixels.length !== bytes) throw new Error(`internal: the crop of ${path} has ${pixels.length} bytes, expected ${bytes}`);
        photos.push({ path, sha256, record: hashJson(record), slot: photos.length });
        sha.update(pixels);
        writing = writing.then(() => writeFully(fh, pixels)).catch((err: Error) => void (failed ??= err.message));
      };
      started = true;
      try {
        result = { value: await detect(add) };
        await writing;
      } finally {
        await fh.close();
      }
      if (failed !== null) throw new Error(failed);
      await writeArtifact(cropHandoffArtifact, out.index, {
        format: PIXELS_FORMAT,
        decoder: DECODER,
        transform: { centerCrop: crop.centerCrop, height: crop.height, width: crop.width, faceCrop: crop.faceCrop },
        pixelsSha256: sha.digest('hex'),
        photos,
      });
    });
  } catch (err) {
    // The pass itself failed: that is the run's error.
    if (started && result === null) throw err;
    failed ??= (err as Error).message;
    // An older handoff left in place would only be checked and passed over.
    await removeCropHandoff(work).catch(() => {});
    // The handoff's folder could not even be made: the pass runs without it.
    if (!started) result = { value: await detect(() => {}) };
  }
  if (result === null) throw new Error('internal: the detection pass neither ended nor failed');
  const { value } = result as { value: T };
  return { result: value, handoff: failed !== null ? { failed } : { photos: photos.length } };
}

/** The crops a run's handoff holds that preprocess may take (the store build counts those it took). */
export interface HandedCrops {
  /** The photo's crop where the handoff holds the one `loadPhoto(file, t)` would make; else null. */
  take(input: { path: string; sha256: string }, file: string): Promise<Uint8Array | null>;
  close(): Promise<void>;
}

/**
 * The handoff in `work` when it was made for transform `t` (face crop, size, centre-crop
 * fallback, decoder, format) and is whole (pixels.u8 has the sha256 its index records); else
 * null, with a warning where one is there but damaged.
 */
export async function openCropHandoff(work: string, t: CacheTransform, log: (line: string) => void): Promise<HandedCrops | null> {
  const face = t.faceCrop;
  if (!face) return null;
  const files = workLayout.cropHandoff(work);
  let index: CropHandoff;
  try {
    index = await readArtifact(cropHandoffArtifact, files.index);
  } catch (err) {
    if (await stat(files.index).then(() => true, () => false)) {
      log(`warning: ${shownPaths((err as Error).message, WORKSPACE_ROOT)}; decoding every photo instead (the handoff is removed when preprocess ends)`);
    }
    return null;
  }
  const made = { format: index.format, decoder: index.decoder, ...index.transform };
  const wanted = { format: PIXELS_FORMAT, decoder: DECODER, centerCrop: t.centerCrop, height: t.height, width: t.width, faceCrop: face.options };
  if (hashJson(made) !== hashJson(wanted)) return null;
  const bytes = t.height * t.width * CACHE_CHANNELS;
  const size = await stat(files.pixels).then((s) => s.size, () => -1);
  const sha = size === index.photos.length * bytes ? await sha256OfFile(files.pixels) : null;
  if (sha !== index.pixelsSha256) {
    log(`warning: ${shownPaths(files.pixels, WORKSPACE_ROOT)} is not what detect wrote (${size < 0 ? 'missing' : sha === null ? `${size} bytes` : 'other sha256'}); decoding every photo instead`);
    return null;
  }
  const byPath = new Map(index.photos.map((p) => [p.path, p]));
  const fh = await open(files.pixels, 'r');
  return {
    async take(input, file) {
      const entry = byPath.get(input.path);
      const record = face.records.get(file);
      if (!entry || entry.sha256 !== input.sha256 || !record || hashJson(record) !== entry.record) return null;
      const out = new Uint8Array(bytes);
      await readFully(fh, out, 0, bytes, entry.slot * bytes, () => `${files.pixels} ended inside slot ${entry.slot}`);
      return out;
    },
    close: () => fh.close(),
  };
}

/** Removes the handoff: preprocess's stores hold its crops now (or it was not for them). */
export async function removeCropHandoff(work: string): Promise<void> {
  await rm(workLayout.cropHandoff(work).dir, { recursive: true, force: true });
}
