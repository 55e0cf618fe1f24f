import { join } from 'node:path';
import { parseGender, PHOTO_KINDS, type Gender, type PhotoKind } from '@facemask/contracts';
import { DataRootError, listEvalImages, listTrainImages, photoName, type DataFolder } from '@facemask/contracts/data-root';
import { fatal, type Issues } from './issues.ts';

/** One photo file of a person folder. */
export interface PhotoFile {
  kind: PhotoKind;
  /** Relative to train/images, e.g. "000001_female_Asian_45/mask1.jpg": the sample id. */
  id: string;
  path: string;
}

export interface FolderName {
  id: string;
  gender: Gender;
  race: string;
  age: number;
}

export interface PersonFolder extends FolderName {
  folder: string;
  path: string;
  /** In PHOTO_KINDS order; kinds that are missing or bad are absent. */
  photos: PhotoFile[];
}

export interface TrainScan {
  folders: PersonFolder[];
  hiddenFiles: number;
}

const FOLDER_RE = /^([^_]+)_([^_]+)_([^_]+)_([^_]+)$/;
const FOLDER_FIX = 'rename it to <id>_<gender>_<race>_<age> (e.g. 000001_female_Asian_45) to match its train.csv row, or move it out of train/images';

/** "000001_female_Asian_45" -> its parts; a reason string when the name does not fit. */
export function parseFolderName(name: string): FolderName | string {
  const m = FOLDER_RE.exec(name);
  if (!m) return `malformed person folder name "${name}" (expected <id>_<gender>_<race>_<age>)`;
  const [, id, g, race, a] = m as unknown as [string, string, string, string, string];
  let gender: Gender;
  try {
    gender = parseGender(g);
  } catch {
    return `malformed person folder name "${name}": gender "${g}" is not male or female`;
  }
  if (!/^\d+$/.test(a)) return `malformed person folder name "${name}": age "${a}" is not a whole number`;
  return { id, gender, race, age: Number(a) };
}

/** A missing data root folder stops preprocess as a PreprocessError naming it, like its other fatal input problems (same text). */
async function fatalIfMissing<T>(listing: Promise<T>): Promise<T> {
  return listing.catch((err: unknown) => {
    if (err instanceof DataRootError) fatal(err.path, err.problem, err.fix);
    throw err;
  });
}

/** Checks train/images: one entry per well-formed person folder with its recognised photos. */
export async function scanTrainImages(root: string, issues: Issues): Promise<TrainScan> {
  const listing = await fatalIfMissing(listTrainImages(root));
  const folders: PersonFolder[] = [];
  let hiddenFiles = listing.hiddenFiles;
  for (const entry of listing.entries) {
    if (!entry.isDir) {
      issues.bad(entry.path, 'unexpected file in train/images (only person folders belong there)', 'move it out of train/images');
      continue;
    }
    const parsed = parseFolderName(entry.name);
    if (typeof parsed === 'string') {
      issues.bad(entry.path, parsed, FOLDER_FIX);
      continue;
    }
    folders.push(checkPersonFolder(entry.name, entry.folder, parsed, issues));
    hiddenFiles += entry.folder.hiddenFiles;
  }
  return { folders, hiddenFiles };
}

function checkPersonFolder(name: string, listing: DataFolder, parsed: FolderName, issues: Issues): PersonFolder {
  const path = listing.dir;
  const byKind = new Map<PhotoKind, PhotoFile>();
  for (const e of listing.entries) {
    const { photo, kind } = photoName(e.name);
    if (e.isDir || !photo || !kind) {
      issues.bad(
        e.path,
        `unknown ${e.isDir ? 'folder' : 'file'} in a person folder (expected ${PHOTO_KINDS.join(', ')} as .jpg, .jpeg or .png)`,
        'remove it or rename it to one of the seven photo names',
      );
      continue;
    }
    const seen = byKind.get(kind);
    if (seen) {
      issues.bad(e.path, `second ${kind} photo in the folder (${seen.path} is the first)`, 'keep one photo per kind');
      continue;
    }
    byKind.set(kind, { kind, id: `${name}/${e.name}`, path: e.path });
  }
  const photos: PhotoFile[] = [];
  for (const kind of PHOTO_KINDS) {
    const p = byKind.get(kind);
    if (p) photos.push(p);
    else {
      issues.bad(
        join(path, `${kind}.*`),
        `person folder is missing its ${kind} photo (${kind}.jpg, .jpeg or .png)`,
        `add the photo, or remove the folder ${name} and its train.csv row`,
      );
    }
  }
  return { ...parsed, folder: name, path, photos };
}

export interface EvalScan {
  /** File name -> absolute path, for every non-hidden file in eval/images. */
  files: Map<string, string>;
  hiddenFiles: number;
}

export async function scanEvalImages(root: string): Promise<EvalScan> {
  const { files, hiddenFiles } = await fatalIfMissing(listEvalImages(root));
  return { files: new Map(files.map((f) => [f.name, f.path])), hiddenFiles };
}
