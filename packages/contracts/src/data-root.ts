import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { configPathNote } from './config/load.ts';
import { isPhotoKind, type PhotoKind } from './labels.ts';
import { dataLayout, PHOTO_EXTENSIONS } from './layout.ts';
import { mapLimit } from './pool.ts';

export { digestDataFiles, digestsIfUnchanged, type DigestOptions, type FileDigest } from './data-root-digests.ts';

/**
 * The one reading of a data root's folders (the competition layout, see dataLayout): preprocess
 * validates what it finds here and detect flattens it into photos, so both see the same entries
 * under the same rules. Node-only, hence its own entry point (`@facemask/contracts/data-root`).
 */

/** A visible entry of a data root folder. */
export interface DataEntry {
  name: string;
  /** The folder's path joined with the name. */
  path: string;
  /** A folder, or a symlink to one (data sets are often linked in). */
  isDir: boolean;
}

/** A folder's visible entries in name order, and how many dot files it holds. */
export interface DataFolder {
  dir: string;
  entries: DataEntry[];
  hiddenFiles: number;
}

/** An entry of train/images: a person folder with its own listing, or a stray file. */
export type TrainEntry = (DataEntry & { isDir: false }) | (DataEntry & { isDir: true; folder: DataFolder });

export interface TrainImagesListing {
  dir: string;
  /** Folders (person folders, whatever their names) and stray files, in name order. */
  entries: TrainEntry[];
  /** Dot files directly in train/images; a person folder's own are in its `folder`. */
  hiddenFiles: number;
}

export interface EvalImagesListing {
  dir: string;
  /** Every file of eval/images in name order; folders there are no photos and are left out. */
  files: DataEntry[];
  hiddenFiles: number;
}

export interface DataRootListing {
  train: TrainImagesListing;
  eval: EvalImagesListing;
}

/** A problem with the data root's layout, as `<path>: <problem>. Fix: <fix>.` (preprocess re-raises it as its own error). */
export class DataRootError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${path}: ${problem}. Fix: ${fix}.`);
    this.name = 'DataRootError';
  }
}

/** Dot files (macOS `._mask1.jpg`, `.DS_Store`) are metadata, not photos: skipped and counted. */
const isHidden = (name: string) => name.startsWith('.');

/** Code-unit order, so listings sort the same on every machine and locale. */
const byName = (a: DataEntry, b: DataEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Person folders read at once: the competition set has thousands, each a few files. */
const FOLDER_CONCURRENCY = 16;

/** `dir`'s entries; `what` names it in the error when it is missing ("train/images folder"). */
export async function listDataFolder(dir: string, what: string): Promise<DataFolder> {
  let found;
  try {
    found = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new DataRootError(
        dir,
        `${what} not found`,
        `data.root must be the folder holding train/ and eval/ in the competition layout (train/train.csv, train/images/, eval/info.csv, eval/images/)${configPathNote()}`,
      );
    }
    throw err;
  }
  const entries: DataEntry[] = [];
  let hiddenFiles = 0;
  for (const e of found) {
    if (isHidden(e.name)) {
      hiddenFiles++;
      continue;
    }
    const path = join(dir, e.name);
    // A symlink is what it points at; a dangling one is a file (it then fails as a photo, by name).
    const isDir = e.isSymbolicLink() ? await stat(path).then((s) => s.isDirectory(), () => false) : e.isDirectory();
    entries.push({ name: e.name, path, isDir });
  }
  return { dir, entries: entries.sort(byName), hiddenFiles };
}

/** train/images with every folder in it listed too. */
export async function listTrainImages(root: string): Promise<TrainImagesListing> {
  const top = await listDataFolder(dataLayout.trainImages(root), 'train/images folder');
  const entries = await mapLimit(top.entries, FOLDER_CONCURRENCY, async (e): Promise<TrainEntry> =>
    e.isDir ? { ...e, isDir: true, folder: await listDataFolder(e.path, 'person folder') } : { ...e, isDir: false },
  );
  return { dir: top.dir, entries, hiddenFiles: top.hiddenFiles };
}

export async function listEvalImages(root: string): Promise<EvalImagesListing> {
  const { dir, entries, hiddenFiles } = await listDataFolder(dataLayout.evalImages(root), 'eval/images folder');
  return { dir, files: entries.filter((e) => !e.isDir), hiddenFiles };
}

/** Both image folders, train first (a root missing altogether is named by its train/images). */
export async function listDataRoot(root: string): Promise<DataRootListing> {
  const train = await listTrainImages(root);
  return { train, eval: await listEvalImages(root) };
}

/**
 * What a file name says about a photo: whether its extension is a photo's (PHOTO_EXTENSIONS, any
 * case) and which kind its name is ("mask1.JPG" -> mask1; "selfie.jpg" -> null).
 */
export function photoName(name: string): { photo: boolean; kind: PhotoKind | null } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return { photo: false, kind: null };
  const stem = name.slice(0, dot);
  return { photo: (PHOTO_EXTENSIONS as readonly string[]).includes(name.slice(dot + 1).toLowerCase()), kind: isPhotoKind(stem) ? stem : null };
}
