import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { createProgress, shownPath, workLayout, WORKSPACE_ROOT, type DetectFailure, type Detections, type StageParams } from '@facemask/contracts';
import { detectFiles, modelIdentities } from '@facemask/face-detect/node';
import { listPhotos } from './photos.ts';
import { countByGroup, formatReport, type GroupCount } from './summary.ts';
import { writeDetections } from './write.ts';

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
}

export interface DetectResult {
  /** `<work>/detect`. */
  dir: string;
  detections: Detections;
  counts: GroupCount[];
  /** The one-screen summary (also written as summary.txt). */
  report: string;
}

/** What preprocess says about a photo that does not decode; it decides, with preprocess.onBadInput. */
const PHOTO_FIX = 'replace it with a readable JPEG/PNG or delete it (and its person if no longer complete)';

/**
 * Finds the faces in every train and eval photo of the data root and writes
 * `<work>/detect/detections.json`. A photo that does not decode is recorded as a failure and
 * warned about, never fatal here: the same photo fails preprocess's decoding, which stops or skips
 * it as preprocess.onBadInput says (this stage does not read that option, so changing it never
 * reruns detection).
 */
export async function runDetect(params: DetectParams, opts: RunOptions): Promise<DetectResult> {
  const root = resolve(params.root);
  const dir = workLayout.detect(resolve(opts.work)).dir;
  const log = opts.log ?? (opts.quiet ? () => {} : (line: string) => console.error(line));
  const photos = await listPhotos(root);
  const pathOf = new Map(photos.map((p) => [p.file, p.path]));
  const workers = Math.max(1, opts.workers ?? availableParallelism());
  const started = performance.now();
  const progress = createProgress({ label: 'detect', total: photos.length, unit: 'img', quiet: opts.quiet });
  const warn = (f: DetectFailure) => log(`warning: ${join(root, f.path)}: ${f.reason}. Fix: ${PHOTO_FIX}; preprocess stops on it or leaves it out, as preprocess.onBadInput says`);
  let result: Awaited<ReturnType<typeof detectFiles>>;
  try {
    result = await detectFiles(
      photos.map((p) => p.file),
      params.detect,
      {
        workers,
        backend: opts.backend,
        configured: params.backend,
        recordPath: (file) => pathOf.get(file)!,
        onRecord: () => progress.tick(),
        onFailure: (f) => {
          progress.tick();
          warn(f);
        },
      },
    );
  } finally {
    progress.stop();
  }
  // The records name the photos relative to the root, and the root is not recorded: the file is
  // part of preprocess's Nx key and restored as-is where the root lies elsewhere.
  const detections: Detections = {
    options: params.detect,
    models: await modelIdentities(params.detect),
    backend: result.backend,
    records: result.records,
    failures: result.failures,
  };
  const counts = countByGroup(photos, result.records, result.failures);
  const detectors = params.detect.detectors.map((d) => `${d.name} >= ${d.minScore}`).join(' -> ');
  const report = formatReport({ root: shownPath(root, WORKSPACE_ROOT), outDir: shownPath(dir, WORKSPACE_ROOT), detectors, backend: result.backend, workers, seconds: (performance.now() - started) / 1000, counts, failures: result.failures });
  await writeDetections(dir, detections, report);
  return { dir, detections, counts, report };
}
