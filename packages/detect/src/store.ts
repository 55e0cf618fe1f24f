import { stat } from 'node:fs/promises';
import {
  checkStoreEntry,
  detectionsArtifact,
  detectionStoreEntryArtifact,
  hashJson,
  inDir,
  publishDirOnce,
  readArtifact,
  sha256OfFile,
  shownPaths,
  workLayout,
  WORKSPACE_ROOT,
  writeArtifact,
  DETECTION_STORE_FILES,
  type DetectOptions,
  type Detections,
  type ModelIdentity,
} from '@facemask/contracts';
import { digestDataFiles } from '@facemask/contracts/data-root';
import { DECODER, type EngineIdentity } from '@facemask/face-detect/node';
import type { Photo } from './photos.ts';

/**
 * The shared detection store: one folder per key in workLayout.detectionStores (`data/.cache/
 * detections` for the runs of data/runs), holding the detections a run published and their
 * sha256. The key is everything the detections are a function of and nothing else, so a second
 * run with the same photos, detectors and engine hard-links the first run's file into its own
 * detect folder instead of running the detectors again (the slowest thing before training).
 *
 * Not pruned, unlike the pixel stores: an entry is about 0.6 MB per 1,000 photos (measured: 25.7 KB
 * for the 42 synthetic 384x512 photos of a face-crop run, BlazeFace, one face each, no landmarks;
 * the 68 landmark points make a record about three times larger), so 2 MB for a 3,500-photo set
 * and 19 MB for 31,500, against hundreds of megabytes to gigabytes for one pixel store. Delete
 * the folder to reclaim it: a run that finds no entry detects again and publishes a new one.
 */

/** Bump when face-detect's code records other faces for the same photos, models and engine. */
const STORE_FORMAT = 'detections-v1';

/** A photo as the key sees it: its path relative to the data root and its content. */
export interface PhotoDigest {
  path: string;
  sha256: string;
}

/** What the detections are a function of: never the work folder, the host, an absolute path or a time. */
export interface DetectionInputs {
  /** The detect stage's config slice without the data root's path (the photos' contents stand for it). */
  options: DetectOptions;
  models: readonly ModelIdentity[];
  /** The engine expected to run, judged before any loads (expectedDetectEngine). */
  engine: EngineIdentity;
  /** Nothing named the engine: `engine` is auto's guess from the files (detectEngineIsAuto). */
  auto?: boolean;
  photos: readonly PhotoDigest[];
}

export function detectionsKey(inputs: DetectionInputs): string {
  return hashJson({
    format: STORE_FORMAT,
    // The detectors see the photos through this decoder: another build may round other pixels.
    decoder: DECODER,
    options: inputs.options,
    models: inputs.models,
    engine: inputs.engine,
    // Where auto guesses wrong, its entry holds another engine's detections (entry.json names
    // it): a run that names the engine must not find them. Left out when false, so the keys of
    // runs that name one are those they had before auto was told apart.
    auto: inputs.auto ? true : undefined,
    photos: inputs.photos.map((p) => [p.path, p.sha256]),
  });
}

/**
 * Each photo's content sha256, from contracts' digestDataFiles: the digest the data fingerprint
 * takes, through the same sidecar (workLayout.fingerprintSidecar), so a photo that did not change
 * since this or preprocess's last run is not read again. A photo that cannot be read keys by
 * why, as detection records it as a failure.
 */
export async function digestPhotos(
  root: string,
  photos: readonly Photo[],
  opts: { sidecar?: string | null; quiet?: boolean; readDigest?: (file: string) => Promise<string> } = {},
): Promise<PhotoDigest[]> {
  const digests = await digestDataFiles(
    root,
    photos.map((p) => p.path),
    {
      sidecar: opts.sidecar,
      progress: opts.quiet ? undefined : { label: 'photo digests', unit: 'img' },
      readDigest: opts.readDigest,
      unreadable: (err) => `unreadable (${err.code ?? err.message})`,
    },
  );
  return digests.map((d) => ({ path: d.rel, sha256: d.sha256 }));
}

export type StoreCheck = { detections: Detections } | { missing: true } | { damaged: string };

/**
 * The entry's detections when it is whole: its record readable and for this key, the file's
 * sha256 the one recorded when it was published (the file is hard-linked into every run that
 * used it, so a write through any of them shows here) and the artifact valid; else why not.
 */
export async function checkDetectionStore(work: string, key: string): Promise<StoreCheck> {
  const store = workLayout.detectionStore(work, key);
  const checked = await checkStoreEntry(store, key, detectionStoreEntryArtifact, store.detections, (e) => e.sha256);
  if (!('entry' in checked)) return checked;
  try {
    return { detections: await readArtifact(detectionsArtifact, store.detections) };
  } catch (err) {
    return { damaged: (err as Error).message };
  }
}

/** The entry's detections when whole; a damaged entry is warned about and left for the next publish to replace. */
export async function findDetections(work: string, key: string, log: (line: string) => void): Promise<Detections | null> {
  const checked = await checkDetectionStore(work, key);
  if ('damaged' in checked) {
    const shown = (p: string) => shownPaths(p, WORKSPACE_ROOT);
    log(`warning: detection store ${shown(workLayout.detectionStore(work, key).dir)}: ${shown(checked.damaged)} (changed on disk since it was stored): detecting again to rebuild it`);
  }
  return 'detections' in checked ? checked.detections : null;
}

/**
 * Stores the detections under `key`, the key the run looked up, whichever engine ran (entry.json
 * records it; see runDetect) (temp folder + rename). Another run that published the same
 * key first keeps its entry (the same detections: same photos, detectors and engine); a damaged
 * entry is replaced. Resolves to the stored file, to be linked into the run (contracts' linkOrCopy).
 */
export async function publishDetections(work: string, key: string, detections: Detections): Promise<string> {
  const store = workLayout.detectionStore(work, key);
  await publishDirOnce(
    store.dir,
    async (tmp) => {
      const out = inDir(tmp, DETECTION_STORE_FILES);
      await writeArtifact(detectionsArtifact, out.detections, detections);
      const [sha256, { size }] = await Promise.all([sha256OfFile(out.detections), stat(out.detections)]);
      await writeArtifact(detectionStoreEntryArtifact, out.entry, { key, sha256, bytes: size, backend: detections.backend });
    },
    async () => 'detections' in (await checkDetectionStore(work, key)),
  );
  return store.detections;
}
