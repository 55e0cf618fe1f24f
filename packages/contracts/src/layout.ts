import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { Round } from './targets.ts';

/**
 * Where every artifact lives under `data.work`: written here once, used by the stage that writes
 * an artifact, the stages that read it and the Nx plugin that declares the outputs.
 */

/** Every stage writes a run record beside its artifacts (time, engine). */
export const RUN_RECORD_FILE = 'run.json';

/** A stage's summary: a view of the artifacts beside it, with what the run took (seconds, img/s). */
export const SUMMARY_FILE = 'summary.json';

/**
 * Files that say how a task ran (its clock, speed, engine line) rather than what it computed: the
 * Nx keys of later tasks leave them out, so the same results reached at another time or on another
 * machine key the same. Everything they hold that matters is in the artifacts beside them.
 */
export const RECORD_FILES: readonly string[] = [RUN_RECORD_FILE, SUMMARY_FILE];

export const PREPROCESS_FILES = {
  samples: 'samples.json',
  eval: 'eval.json',
  summary: SUMMARY_FILE,
  fingerprint: 'fingerprint.json',
  summaryText: 'summary.txt',
} as const;

export const FOLD_FILES = {
  last: 'last',
  best: 'best',
  metrics: 'metrics.jsonl',
  oof: 'predictions-oof.json',
  eval: 'predictions-eval.json',
  summary: SUMMARY_FILE,
  summaryText: 'summary.txt',
  augment: 'augment.json',
} as const;

export const FEATURES_FILES = {
  /** plain and mirrored view of every cached photo (train cache, then eval cache), [count, dim] each */
  table: 'features.safetensors',
  /** what they were computed from (`train/features`) */
  meta: 'features.json',
} as const;

export const ENSEMBLE_FILES = {
  eval: 'eval.json',
  oof: 'oof.json',
  report: 'report.json',
  summaryText: 'report.txt',
} as const;

export type CacheSplit = 'train' | 'eval';
export const CACHE_SPLITS: readonly CacheSplit[] = ['train', 'eval'];

function foldDir(work: string, round: Round | string, fold: number | string): string {
  return join(work, 'train', `round${round}`, `fold-${fold}`);
}

/** The paths of `files` (name -> file name) inside `dir`. */
export const inDir = <T extends Record<string, string>>(dir: string, files: T) =>
  Object.fromEntries(Object.entries(files).map(([k, f]) => [k, join(dir, f)])) as { [K in keyof T]: string };

export const DETECT_FILES = {
  detections: 'detections.json',
  summaryText: 'summary.txt',
} as const;

/** An entry of the shared feature store: the table (hard-linked into the runs' train/features) and its record. */
export const FEATURE_STORE_FILES = {
  table: FEATURES_FILES.table,
  entry: 'entry.json',
} as const;

/** An entry of the shared detection store: the detections (hard-linked into the runs) and its record. */
export const DETECTION_STORE_FILES = {
  detections: DETECT_FILES.detections,
  entry: 'entry.json',
} as const;

/** The crops detect hands to preprocess (workLayout.cropHandoff): pixels back to back, and what each slot holds. */
export const CROP_HANDOFF_FILES = {
  pixels: 'pixels.u8',
  index: 'index.json',
} as const;

/** The folder name whose work folders share their pixel and detection stores (config load's data/runs). */
export const SHARED_RUNS_FOLDER_NAME = 'runs';

/**
 * The runs folder `work` lies directly in (`<X>/runs` for `<X>/runs/<name>`), whose runs share
 * pixel and detection stores; else null. Read from the path as given (stages pass absolute ones), so a relative
 * work folder's stores stay relative too.
 */
export function sharedRunsFolder(work: string): string | null {
  const parent = dirname(work);
  return basename(parent) === SHARED_RUNS_FOLDER_NAME ? parent : null;
}

/** A cache the work folders of a runs folder share (`<X>/.cache/<name>`), else the work folder's own. */
function sharedCache(work: string, name: string): string {
  const runs = sharedRunsFolder(work);
  return runs === null ? join(work, '.cache', name) : join(dirname(runs), '.cache', name);
}

export const workLayout = {
  detect(work: string) {
    const dir = join(work, 'detect');
    return { dir, ...inDir(dir, DETECT_FILES), run: join(dir, RUN_RECORD_FILE) };
  },
  preprocess(work: string) {
    const dir = join(work, 'preprocess');
    return { dir, ...inDir(dir, PREPROCESS_FILES), run: join(dir, RUN_RECORD_FILE) };
  },
  /** A split's image cache index inside a preprocess folder (the live one or one being built); it names the split's store. */
  imageCache(preprocessDir: string, split: CacheSplit) {
    return { index: join(preprocessDir, 'cache', `${split}.json`) };
  },
  /**
   * Content-addressed pixel stores, one folder per (photos, transform): outside every Nx output,
   * since Nx would copy gigabytes of pixels into its own cache. Reused across runs. The work
   * folders of a runs folder (`<X>/runs/<name>`, where configs without data.work go) share
   * `<X>/.cache/images`: a store's key names its photos and transform, so two runs with the same
   * inputs need one copy on disk. Any other work folder keeps its own.
   */
  imageStores: (work: string): string => sharedCache(work, 'images'),
  imageStore(work: string, key: string) {
    const dir = join(workLayout.imageStores(work), key);
    return { dir, pixels: join(dir, 'pixels.u8'), index: join(dir, 'index.json') };
  },
  /**
   * Content-addressed detections, one folder per (photos, detect options, models, engine): shared
   * by the work folders of a runs folder as the pixel stores are (`<X>/.cache/detections`), so a
   * second run with the same photos and detectors links the first run's detections in rather than
   * detecting again. Any other work folder keeps its own.
   */
  detectionStores: (work: string): string => sharedCache(work, 'detections'),
  detectionStore(work: string, key: string) {
    const dir = join(workLayout.detectionStores(work), key);
    return { dir, ...inDir(dir, DETECTION_STORE_FILES) };
  },
  /**
   * Content-addressed feature tables of train.mode "features", one folder per (pixels, backbone,
   * its weights, engine): shared by the work folders of a runs folder like the pixel stores, so a
   * second config with the same backbone links the first one's table in rather than running the
   * backbone over every photo again.
   */
  featureStores: (work: string): string => sharedCache(work, 'features'),
  featureStore(work: string, key: string) {
    const dir = join(workLayout.featureStores(work), key);
    return { dir, ...inDir(dir, FEATURE_STORE_FILES) };
  },
  /**
   * The face crops detect made while it had each photo decoded, for this work folder's preprocess
   * to take instead of decoding every photo again; preprocess removes it once its stores are in
   * place. The work folder's own (never shared): it holds one run's crops, and stays outside
   * every Nx output (a cache of pixels, like the stores).
   */
  cropHandoff(work: string) {
    const dir = join(work, '.cache', 'crop-handoff');
    return { dir, ...inDir(dir, CROP_HANDOFF_FILES) };
  },
  /** Per-file hashes of the data root, kept outside preprocess/ so they survive failed runs. */
  fingerprintSidecar: (work: string) => join(work, '.cache', 'fingerprint-files.json'),
  trainRound: (work: string, round: Round) => join(work, 'train', `round${round}`),
  fold(work: string, round: Round, fold: number) {
    const dir = foldDir(work, round, fold);
    return { dir, ...inDir(dir, FOLD_FILES), run: join(dir, RUN_RECORD_FILE) };
  },
  /** A fold's folder with Nx's `{options.round}` / `{options.fold}` in place of the numbers. */
  foldTemplate: (work: string) => foldDir(work, '{options.round}', '{options.fold}'),
  /** Pooled backbone features computed once (train:features) for the folds of the features mode. */
  features(work: string) {
    const dir = join(work, 'train', 'features');
    return { dir, ...inDir(dir, FEATURES_FILES), run: join(dir, RUN_RECORD_FILE) };
  },
  ensemble(work: string, round: Round) {
    const dir = join(work, 'ensemble', `round${round}`);
    return { dir, ...inDir(dir, ENSEMBLE_FILES), run: join(dir, RUN_RECORD_FILE) };
  },
  pseudoLabel(work: string) {
    const dir = join(work, 'pseudo-label');
    return { dir, samples: join(dir, 'samples.json'), run: join(dir, RUN_RECORD_FILE) };
  },
  submission(work: string) {
    const dir = join(work, 'submission');
    return { dir, csv: join(dir, 'submission.csv'), run: join(dir, RUN_RECORD_FILE) };
  },
  /** The run report: a static page and the thumbnails it shows. */
  report(work: string) {
    const dir = join(work, 'report');
    return { dir, index: join(dir, 'index.html'), thumbs: join(dir, 'thumbs'), run: join(dir, RUN_RECORD_FILE) };
  },
};

/** The competition layout under a data root (what users bring). */
export const dataLayout = {
  trainCsv: (root: string) => join(root, 'train', 'train.csv'),
  trainImages: (root: string) => join(root, 'train', 'images'),
  infoCsv: (root: string) => join(root, 'eval', 'info.csv'),
  evalImages: (root: string) => join(root, 'eval', 'images'),
};

/**
 * A file of the data root as the artifacts name it: relative, with '/' between parts. Every JSON
 * artifact but the run records is part of later tasks' Nx keys and is restored as-is on other
 * machines, where the data root lies elsewhere; a path outside the root stays as it is.
 */
export function dataRelative(root: string, path: string): string {
  const rel = relative(root, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return path;
  return rel.split(sep).join('/');
}

/** A file an artifact names relative to the data root (dataRelative), where it lies on this machine. */
export function dataFile(root: string, rel: string): string {
  return isAbsolute(rel) ? rel : join(root, ...rel.split('/'));
}

export const TRAIN_CSV_COLUMNS = ['id', 'gender', 'race', 'age', 'path'] as const;
export const EVAL_CSV_COLUMNS = ['ImageID', 'ans'] as const;
export const PHOTO_EXTENSIONS = ['jpg', 'jpeg', 'png'] as const;
