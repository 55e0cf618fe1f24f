import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { createProgress, shownPath, shownPaths, workLayout, WORKSPACE_ROOT, type DetectFailure, type Detections, type StageHandoff, type StageParams } from '@facemask/contracts';
import { buildCropHandoff, CROP_HOOK_MODULE, type AddCrop, type HandoffOutcome } from '@facemask/image-cache';
import { detectEngineIsAuto, detectFiles, expectedDetectEngine, modelIdentities } from '@facemask/face-detect/node';
import { listPhotos } from './photos.ts';
import { detectionsKey, digestPhotos, findDetections, publishDetections } from './store.ts';
import { countByGroup, formatReport, type GroupCount } from './summary.ts';
import { linkDetections, writeDetections } from './write.ts';

export type DetectParams = StageParams<'detect'>;

export interface RunOptions {
  /** data.work: the artifacts go to its detect/ folder. */
  work: string;
  quiet?: boolean;
  /** Where warnings go (default: stderr, or nowhere when quiet). */
  log?: (line: string) => void;
  /** Worker processes, each with its own tfjs engine (default: one per core). */
  workers?: number;
  /** tfjs backend as --backend takes it (default: TFJS_BACKEND, else the fastest available). */
  backend?: string;
  /**
   * The image cache's crop (STAGES.detect.handoff): where the detectors run, each photo's crop is
   * made from the same decode and handed to preprocess (workLayout.cropHandoff). Null or absent: none.
   */
  handoff?: StageHandoff<'detect'>;
}

export interface DetectResult {
  /** `<work>/detect`. */
  dir: string;
  detections: Detections;
  counts: GroupCount[];
  /** The one-screen summary (also written as summary.txt). */
  report: string;
  /** The shared store entry the detections are linked from, and whether it was there before (no detector ran); null when it could not be written. */
  store: { key: string; reused: boolean } | null;
  /** The crops handed to preprocess; null when no detector ran or none was asked for. */
  handoff: HandoffOutcome | null;
}

/** What preprocess says about a photo that does not decode; it decides, with preprocess.onBadInput. */
const PHOTO_FIX = 'replace it with a readable JPEG/PNG or delete it (and its person if no longer complete)';

/**
 * Finds the faces in every train and eval photo of the data root and writes
 * `<work>/detect/detections.json`. A photo that does not decode is recorded as a failure and
 * warned about, never fatal here: the same photo fails preprocess's decoding, which stops or skips
 * it as preprocess.onBadInput says (this stage does not read that option, so changing it never
 * reruns detection). Detections already in the shared store for the same photos, detectors and
 * engine (another run's, see store.ts) are linked in instead of detecting again; new ones are
 * stored there for the next run.
 */
export async function runDetect(params: DetectParams, opts: RunOptions): Promise<DetectResult> {
  const root = resolve(params.root);
  const work = resolve(opts.work);
  const dir = workLayout.detect(work).dir;
  const log = opts.log ?? (opts.quiet ? () => {} : (line: string) => console.error(line));
  const photos = await listPhotos(root);
  const workers = Math.max(1, opts.workers ?? availableParallelism());
  const started = performance.now();
  const warn = (f: DetectFailure) => log(`warning: ${join(root, f.path)}: ${f.reason}. Fix: ${PHOTO_FIX}; preprocess stops on it or leaves it out, as preprocess.onBadInput says`);
  const engines = { backend: opts.backend, configured: params.backend };
  const inputs = { options: params.detect, models: await modelIdentities(params.detect), photos: await digestPhotos(root, photos, { sidecar: workLayout.fingerprintSidecar(work), quiet: opts.quiet }) };
  // The key is known before any worker loads an engine, so a hit loads none; it holds the engine
  // expected to run, and the detections are stored under this same key whichever engine did run
  // (entry.json and the detections name it). Keying on the engine the workers report instead
  // would mean starting them, and loading the engine and models, on every hit; publishing under
  // that one (as before) meant an auto run whose guess was wrong stored where no later auto run
  // looks. The key tells auto's guess from a named engine, so a run that names one never gets
  // another engine's detections.
  const key = detectionsKey({ ...inputs, engine: expectedDetectEngine(engines), auto: detectEngineIsAuto(engines) });
  const finish = async (detections: Detections, store: { key: string; reused: boolean } | null, handoff: HandoffOutcome | null = null): Promise<DetectResult> => {
    const counts = countByGroup(photos, detections.records, detections.failures);
    const detectors = params.detect.detectors.map((d) => `${d.name} >= ${d.minScore}`).join(' -> ');
    const stored = store && workLayout.detectionStore(work, store.key);
    const report = formatReport({
      root: shownPath(root, WORKSPACE_ROOT),
      outDir: shownPath(dir, WORKSPACE_ROOT),
      detectors,
      backend: detections.backend,
      workers,
      seconds: (performance.now() - started) / 1000,
      counts,
      failures: detections.failures,
      store: stored && { dir: shownPath(stored.dir, WORKSPACE_ROOT), reused: store.reused },
      handoff: handoff && { outcome: handoff, dir: shownPath(workLayout.cropHandoff(work).dir, WORKSPACE_ROOT) },
    });
    if (stored) await linkDetections(dir, stored.detections, report);
    else await writeDetections(dir, detections, report);
    return { dir, detections, counts, report, store, handoff };
  };

  const found = await findDetections(work, key, log);
  if (found) {
    // as a run that detects would, so a rerun reports the same photos
    for (const f of found.failures) warn(f);
    return finish(found, { key, reused: true });
  }
  const pathOf = new Map(photos.map((p) => [p.file, p.path]));
  const progress = createProgress({ label: 'detect', total: photos.length, unit: 'img', quiet: opts.quiet });
  const detectAll = (add: AddCrop | null) =>
    detectFiles(
      photos.map((p) => p.file),
      params.detect,
      {
        ...engines,
        workers,
        recordPath: (file) => pathOf.get(file)!,
        afterDetect: add ? { module: CROP_HOOK_MODULE, options: opts.handoff } : undefined,
        onRecord: (record, i, crop) => {
          progress.tick();
          if (add && crop) add(record.path, inputs.photos[i]!.sha256, record, crop);
        },
        onFailure: (f) => {
          progress.tick();
          warn(f);
        },
      },
    );
  let result: Awaited<ReturnType<typeof detectFiles>>;
  let handoff: HandoffOutcome | null = null;
  try {
    if (opts.handoff) ({ result, handoff } = await buildCropHandoff(work, opts.handoff, detectAll));
    else result = await detectAll(null);
  } finally {
    progress.stop();
  }
  if (handoff && 'failed' in handoff) log(`warning: could not hand the image cache's crops to preprocess in ${shownPath(workLayout.cropHandoff(work).dir, WORKSPACE_ROOT)}: ${shownPaths(handoff.failed, WORKSPACE_ROOT)}. preprocess decodes every photo again instead; nothing else changes`);
  // The records name the photos relative to the root, and the root is not recorded: the file is
  // part of preprocess's Nx key and restored as-is where the root lies elsewhere.
  const detections: Detections = { options: params.detect, models: inputs.models, backend: result.backend, records: result.records, failures: result.failures };
  const stores = workLayout.detectionStores(work);
  try {
    await publishDetections(work, key, detections);
  } catch (err) {
    log(`warning: could not store the detections for other runs in ${stores}: ${(err as Error).message}. Fix: make ${stores} writable (or free space there); this run's detections are written all the same`);
    return finish(detections, null, handoff);
  }
  return finish(detections, { key, reused: false }, handoff);
}
