import { availableParallelism } from 'node:os';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { NUM_CLASSES, PHOTO_KINDS, Rng, ageBand, createProgress, encodeClass, genderName, maskOfKind, stableStringify, writeCsv, writeFileAtomic, type PhotoKind } from '@facemask/contracts';
import { faceBox } from './face-box.ts';
import { FACE_BOX_COLUMNS, INFO_CSV_COLUMNS, RACE, TRAIN_CSV_COLUMNS, evalImageName, trainFolderName } from './names.ts';
import { CUE_STRENGTHS, drawPerson, personFolderId, splitPeople, type CueStrength, type Person } from './person.ts';
import { drawPhotoParams } from './photo-params.ts';
import { renderPhoto } from './raster.ts';

export interface SynthOptions {
  /** Folder to write; created if missing. */
  out: string;
  people: number;
  seed: number;
  width: number;
  height: number;
  /** Share of people whose photos go to eval/ (the rest to train/). */
  evalFraction: number;
  /** How plainly faces show gender and age band (see CueStrength). */
  cues: CueStrength;
  /** JPEG quality 1..100. */
  quality: number;
  /** Replace a non-empty folder that was not written by this generator. */
  overwrite: boolean;
  /** Photos in flight at once (rasterising runs on libuv's thread pool). */
  concurrency: number;
  quiet: boolean;
}

export const DEFAULT_SYNTH_OPTIONS: Omit<SynthOptions, 'out'> = {
  people: 100,
  seed: 42,
  width: 384,
  height: 512,
  evalFraction: 0.4,
  cues: 'subtle',
  quality: 90,
  overwrite: false,
  concurrency: Math.max(2, Math.min(4, availableParallelism() + 1)),
  quiet: false,
};

export interface EvalImage {
  imageId: string;
  personId: number;
  kind: PhotoKind;
  ans: number;
}

export interface SynthSummary {
  out: string;
  options: SynthOptions;
  trainPeople: number[];
  evalPeople: number[];
  trainPhotos: number;
  evalPhotos: number;
  trainClassCounts: number[];
  evalClassCounts: number[];
  /** The hidden truth behind eval/: which person and photo each opaque name is, in info.csv order. */
  evalImages: EvalImage[];
  seconds: number;
}

/**
 * `path,x,y,width,height` per photo: the face square it shows (face-box.ts), in the format of
 * realfaces-dev-wide's face_boxes.csv. Not part of the competition layout: no stage reads it.
 */
export const FACE_BOXES_FILE = 'face_boxes.csv';

/** Marks a folder as this generator's output, so re-running into it may replace it. */
export const MARKER_FILE = '.facemask-synth.json';
/** Raised whenever the same options draw different photos, so callers can tell a stale folder. */
export const GENERATOR_VERSION = 2;

/** What MARKER_FILE records: enough to tell whether a folder matches a set of options. */
export interface SynthMarker {
  generator: '@facemask/synth';
  version: number;
  seed: number;
  people: number;
  width: number;
  height: number;
  evalFraction: number;
  cues: CueStrength;
  quality: number;
}

/** The marker of a folder this generator wrote, or null if it has none or an unreadable one. */
export async function readSynthMarker(out: string): Promise<SynthMarker | null> {
  try {
    const m = JSON.parse(await readFile(join(out, MARKER_FILE), 'utf8')) as Partial<SynthMarker>;
    return m.generator === '@facemask/synth' ? (m as SynthMarker) : null;
  } catch {
    return null;
  }
}

/** The marker this generator version writes for a set of options: the options that shape the photos. */
function markerOf(o: Omit<SynthOptions, 'out'>): SynthMarker {
  return { generator: '@facemask/synth', version: GENERATOR_VERSION, seed: o.seed, people: o.people, width: o.width, height: o.height, evalFraction: o.evalFraction, cues: o.cues, quality: o.quality };
}

/** True if the folder was written by this generator version with these options. */
export async function matchesSynthOptions(out: string, o: Omit<SynthOptions, 'out'>): Promise<boolean> {
  const m = await readSynthMarker(out);
  return m !== null && stableStringify(m) === stableStringify(markerOf(o));
}

export function checkSynthOptions(o: SynthOptions): void {
  const fail = (msg: string): never => {
    throw new Error(msg);
  };
  if (!o.out) fail('out is required: the folder to write the data set into');
  if (!Number.isInteger(o.people) || o.people < 1 || o.people > 999_999) fail(`people must be an integer in 1..999999, got ${o.people}`);
  if (!Number.isInteger(o.seed)) fail(`seed must be an integer, got ${o.seed}`);
  for (const [k, v] of [['width', o.width], ['height', o.height]] as const) {
    if (!Number.isInteger(v) || v < 16 || v > 4096) fail(`${k} must be an integer number of pixels in 16..4096, got ${v}`);
  }
  if (!(o.evalFraction >= 0 && o.evalFraction < 1)) fail(`evalFraction must be in [0, 1), got ${o.evalFraction}`);
  if (!CUE_STRENGTHS.includes(o.cues)) fail(`cues must be one of ${CUE_STRENGTHS.join(', ')}, got ${String(o.cues)}`);
  if (!Number.isInteger(o.quality) || o.quality < 1 || o.quality > 100) fail(`quality must be an integer in 1..100, got ${o.quality}`);
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1) fail(`concurrency must be a positive integer, got ${o.concurrency}`);
}

/**
 * Writes the data set in the competition layout. Images first, each atomically; then the CSVs,
 * train.csv last, so a run that dies midway leaves a folder validateLayout rejects.
 */
export async function generateDataset(options: SynthOptions): Promise<SynthSummary> {
  checkSynthOptions(options);
  const start = performance.now();
  const out = resolve(options.out);
  await prepareOutDir(out, options);

  const people = Array.from({ length: options.people }, (_, i) => drawPerson(options.seed, i + 1, options.cues));
  const split = splitPeople(options.seed, options.people, options.evalFraction);
  const isEval = new Set(split.eval);
  const jobs: { person: Person; kind: PhotoKind; path: string }[] = [];
  const evalImages: EvalImage[] = [];
  const seen = new Set<string>();
  for (const person of people) {
    const folder = trainFolderName(person.id, person.gender, person.age);
    for (const kind of PHOTO_KINDS) {
      if (isEval.has(person.id)) {
        const imageId = evalImageName(options.seed, person.id, kind);
        if (seen.has(imageId)) throw new Error(`eval image name ${imageId} drawn twice: use another seed`);
        seen.add(imageId);
        evalImages.push({ imageId, personId: person.id, kind, ans: classOf(person, kind) });
        jobs.push({ person, kind, path: join(out, 'eval', 'images', imageId) });
      } else {
        jobs.push({ person, kind, path: join(out, 'train', 'images', folder, `${kind}.jpg`) });
      }
    }
  }
  await mkdir(join(out, 'train', 'images'), { recursive: true });
  await mkdir(join(out, 'eval', 'images'), { recursive: true });

  const progress = createProgress({ label: 'synth', total: jobs.length, unit: 'photos', quiet: options.quiet });
  const render = { width: options.width, height: options.height, quality: options.quality };
  try {
    await runPool(jobs, options.concurrency, async (job) => {
      const jpeg = await renderPhoto(options.seed, job.person, job.kind, render);
      await writeFileAtomic(job.path, jpeg);
      progress.tick();
    });
  } finally {
    progress.stop();
  }

  // Where each face was drawn (tools: detector calibration and tests), before train.csv marks the set complete.
  const boxes = jobs.map((job) => {
    const b = faceBox(job.person.look, drawPhotoParams(options.seed, job.person, job.kind), options.width, options.height);
    return [relative(out, job.path).split(sep).join('/'), Math.round(b.x), Math.round(b.y), Math.round(b.width), Math.round(b.height)];
  });
  await writeCsv(join(out, FACE_BOXES_FILE), FACE_BOX_COLUMNS, boxes);
  Rng.derive(options.seed, 'eval-order').shuffle(evalImages);
  await writeCsv(join(out, 'eval_labels.csv'), INFO_CSV_COLUMNS, evalImages.map((e) => [e.imageId, e.ans]));
  await writeCsv(join(out, 'eval', 'info.csv'), INFO_CSV_COLUMNS, evalImages.map((e) => [e.imageId, 0]));
  const trainRows = people
    .filter((p) => !isEval.has(p.id))
    .map((p) => [personFolderId(p.id), genderName(p.gender), RACE, p.age, trainFolderName(p.id, p.gender, p.age)]);
  await writeCsv(join(out, 'train', 'train.csv'), TRAIN_CSV_COLUMNS, trainRows);

  const trainClassCounts = new Array<number>(NUM_CLASSES).fill(0);
  for (const p of people) {
    if (isEval.has(p.id)) continue;
    for (const kind of PHOTO_KINDS) trainClassCounts[classOf(p, kind)]! += 1;
  }
  const evalClassCounts = new Array<number>(NUM_CLASSES).fill(0);
  for (const e of evalImages) evalClassCounts[e.ans]! += 1;
  return {
    out,
    options,
    trainPeople: split.train,
    evalPeople: split.eval,
    trainPhotos: split.train.length * PHOTO_KINDS.length,
    evalPhotos: evalImages.length,
    trainClassCounts,
    evalClassCounts,
    evalImages,
    seconds: (performance.now() - start) / 1000,
  };
}

export function classOf(person: Pick<Person, 'gender' | 'age'>, kind: PhotoKind): number {
  return encodeClass(maskOfKind(kind), person.gender, ageBand(person.age));
}

/**
 * An empty or missing folder, or one this generator wrote, is (re)filled; anything else needs
 * overwrite. The CSVs go first so a half-replaced folder never passes for a whole one.
 */
async function prepareOutDir(out: string, o: SynthOptions): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(out);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new Error(`${out} is a file, not a folder: choose another --out`);
    if (code !== 'ENOENT') throw err;
  }
  if (entries.length > 0 && !entries.includes(MARKER_FILE) && !o.overwrite) {
    throw new Error(
      `${out} is not empty and was not written by synth: pass --overwrite to replace its train/, eval/ and eval_labels.csv, or choose another --out`,
    );
  }
  for (const p of ['train/train.csv', 'eval/info.csv', 'eval_labels.csv', FACE_BOXES_FILE, 'train', 'eval']) {
    await rm(join(out, p), { recursive: true, force: true });
  }
  await writeFileAtomic(join(out, MARKER_FILE), `${JSON.stringify(markerOf(o), null, 2)}\n`);
}

async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
