import { readdir, stat } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
import { NUM_CLASSES, PHOTO_KINDS, ageBand, encodeClass, isPhotoKind, maskOfKind, parseGender, readCsv } from '@facemask/contracts';
import { INFO_CSV_COLUMNS, PHOTO_EXTENSIONS, TRAIN_CSV_COLUMNS, parseFolderName } from './names.ts';

export class LayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayoutError';
  }
}

export interface LayoutReport {
  dir: string;
  train: { people: number; photos: number; classCounts: number[] };
  /** classCounts only when eval_labels.csv is present. */
  eval: { images: number; classCounts: number[] | null };
}

export interface LayoutOptions {
  oldAgeThreshold?: number;
  youngAgeThreshold?: number;
}

/**
 * Checks that `dir` holds the competition layout (train/train.csv + train/images/<folder>/<7 photos>,
 * eval/info.csv + eval/images/<ImageID>, optional eval_labels.csv) and counts it. Throws a
 * LayoutError naming the offending file and what to fix. Dot files (editor/OS litter, temporary
 * files of atomic writes) are ignored.
 */
export async function validateLayout(dir: string, opts: LayoutOptions = {}): Promise<LayoutReport> {
  const root = resolve(dir);
  const rel = (p: string): string => relative(process.cwd(), p) || '.';
  const fail = (msg: string): never => {
    throw new LayoutError(msg);
  };
  if (!(await isDir(root))) fail(`${rel(root)} is not a folder: expected the data set root holding train/ and eval/`);
  const band = (age: number): 0 | 1 | 2 => ageBand(age, opts.oldAgeThreshold, opts.youngAgeThreshold);

  // train
  const trainCsv = join(root, 'train', 'train.csv');
  const imagesDir = join(root, 'train', 'images');
  const rows = await readCsvOrFail(trainCsv, TRAIN_CSV_COLUMNS, rel);
  if (!(await isDir(imagesDir))) fail(`${rel(imagesDir)} is missing: train photos live in train/images/<id>_<gender>_<race>_<age>/`);
  const trainCounts = new Array<number>(NUM_CLASSES).fill(0);
  const ids = new Set<string>();
  const folders = new Set<string>();
  const kindsOfRow = rows.map((row) => settled(photoKindsIn(join(imagesDir, row.path ?? ''), rel, fail)));
  for (const [i, row] of rows.entries()) {
    const where = `${rel(trainCsv)} row ${i + 2}`;
    const folder = row.path ?? '';
    const parsed = parseFolderName(folder);
    if (!parsed) fail(`${where}: path "${folder}" is not a folder name of the form <id>_<gender>_<race>_<age> (e.g. 000001_female_Asian_45): fix the path column or rename the folder`);
    const p = parsed as NonNullable<typeof parsed>;
    const mismatch = (['id', 'gender', 'race', 'age'] as const).find((k) => String(p[k]) !== (row[k] ?? ''));
    if (mismatch) fail(`${where}: ${mismatch} column "${row[mismatch]}" disagrees with the folder name "${folder}" (${mismatch} ${p[mismatch]}): make them agree`);
    let gender: 0 | 1 = 0;
    try {
      gender = parseGender(row.gender ?? '');
    } catch (err) {
      fail(`${where}: ${(err as Error).message}`);
    }
    if (ids.has(p.id)) fail(`${where}: id ${p.id} appears twice: each person has one row`);
    if (folders.has(folder)) fail(`${where}: folder ${folder} appears twice: each person has one row`);
    ids.add(p.id);
    folders.add(folder);
    const kinds = (await kindsOfRow[i]!)();
    for (const kind of PHOTO_KINDS) if (kinds.has(kind)) trainCounts[encodeClass(maskOfKind(kind), gender, band(p.age))]! += 1;
  }
  for (const name of await visibleEntries(imagesDir)) {
    if (!folders.has(name)) fail(`${rel(join(imagesDir, name))} is not listed in ${rel(trainCsv)}: add its row or remove it`);
  }

  // eval
  const infoCsv = join(root, 'eval', 'info.csv');
  const evalImagesDir = join(root, 'eval', 'images');
  const info = await readCsvOrFail(infoCsv, INFO_CSV_COLUMNS, rel);
  if (!(await isDir(evalImagesDir))) fail(`${rel(evalImagesDir)} is missing: eval photos live in eval/images/<ImageID>`);
  const evalFiles = new Set(await visibleEntries(evalImagesDir));
  const imageIds = new Set<string>();
  const sizeOfRow = info.map((row) => settled(stat(join(evalImagesDir, row.ImageID ?? '')).then((s) => s.size)));
  for (const [i, row] of info.entries()) {
    const where = `${rel(infoCsv)} row ${i + 2}`;
    const id = row.ImageID ?? '';
    if (!id || /[\\/]/.test(id)) fail(`${where}: ImageID "${id}" must be a plain file name inside eval/images`);
    if (imageIds.has(id)) fail(`${where}: ImageID ${id} appears twice: list each image once`);
    imageIds.add(id);
    if (!evalFiles.has(id)) fail(`${where}: ${rel(join(evalImagesDir, id))} does not exist: add the image or drop the row`);
    if ((await sizeOfRow[i]!)() === 0) fail(`${rel(join(evalImagesDir, id))} is empty: regenerate or replace it`);
  }
  for (const f of evalFiles) {
    if (!imageIds.has(f)) fail(`${rel(join(evalImagesDir, f))} is not listed in ${rel(infoCsv)}: add its row or remove it`);
  }

  // hidden labels
  const labelsCsv = join(root, 'eval_labels.csv');
  let evalCounts: number[] | null = null;
  if (await exists(labelsCsv)) {
    const labels = await readCsvOrFail(labelsCsv, INFO_CSV_COLUMNS, rel);
    evalCounts = new Array<number>(NUM_CLASSES).fill(0);
    const labelled = new Set<string>();
    for (const [i, row] of labels.entries()) {
      const where = `${rel(labelsCsv)} row ${i + 2}`;
      const id = row.ImageID ?? '';
      const ans = Number(row.ans);
      if (!Number.isInteger(ans) || ans < 0 || ans >= NUM_CLASSES || row.ans === '') fail(`${where}: ans "${row.ans}" must be a class 0..${NUM_CLASSES - 1}`);
      if (labelled.has(id)) fail(`${where}: ImageID ${id} appears twice: label each image once`);
      if (!imageIds.has(id)) fail(`${where}: ImageID ${id} is not in ${rel(infoCsv)}: eval_labels.csv must cover exactly the images of info.csv`);
      labelled.add(id);
      evalCounts[ans]! += 1;
    }
    const unlabelled = [...imageIds].filter((id) => !labelled.has(id));
    if (unlabelled.length > 0) {
      fail(`${rel(labelsCsv)} has no label for ${unlabelled.length} image(s) of ${rel(infoCsv)} (e.g. ${unlabelled.slice(0, 3).join(', ')}): it must cover exactly info.csv`);
    }
  }
  return {
    dir: root,
    train: { people: rows.length, photos: rows.length * PHOTO_KINDS.length, classCounts: trainCounts },
    eval: { images: info.length, classCounts: evalCounts },
  };
}

/**
 * Lets every folder be read at once (a data set of thousands of people is checked in a fraction
 * of the time) while the walk over the CSV still reports the first problem in file order: the
 * outcome is unwrapped, and a failure thrown, only when the walk reaches its row.
 */
function settled<T>(p: Promise<T>): Promise<() => T> {
  return p.then(
    (v) => () => v,
    (err: unknown) => () => {
      throw err;
    },
  );
}

async function photoKindsIn(photoDir: string, rel: (p: string) => string, fail: (m: string) => never): Promise<Set<string>> {
  if (!(await isDir(photoDir))) fail(`${rel(photoDir)} is missing: the folder named in train.csv must hold the 7 photos`);
  const kinds = new Set<string>();
  for (const f of await visibleEntries(photoDir)) {
    const ext = extname(f);
    const stem = f.slice(0, f.length - ext.length);
    if (!isPhotoKind(stem) || !(PHOTO_EXTENSIONS as readonly string[]).includes(ext.toLowerCase())) {
      fail(`${rel(join(photoDir, f))} is not one of ${PHOTO_KINDS.join(', ')} (${PHOTO_EXTENSIONS.join('/')}): remove or rename it`);
    }
    if (kinds.has(stem)) fail(`${rel(photoDir)} holds ${stem} twice (different extensions): keep one`);
    if ((await stat(join(photoDir, f))).size === 0) fail(`${rel(join(photoDir, f))} is empty: regenerate or replace it`);
    kinds.add(stem);
  }
  const missing = PHOTO_KINDS.filter((k) => !kinds.has(k));
  if (missing.length > 0) fail(`${rel(photoDir)} lacks ${missing.join(', ')}: every person needs all 7 photos (${PHOTO_KINDS.join(', ')})`);
  return kinds;
}

async function readCsvOrFail(path: string, columns: readonly string[], rel: (p: string) => string): Promise<Record<string, string>[]> {
  if (!(await exists(path))) {
    throw new LayoutError(`${rel(path)} is missing: write it with the header ${columns.join(',')} (an interrupted synth run leaves it out; run synth again)`);
  }
  try {
    return await readCsv(path, columns);
  } catch (err) {
    throw new LayoutError((err as Error).message);
  }
}

async function visibleEntries(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => !f.startsWith('.')).sort();
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
