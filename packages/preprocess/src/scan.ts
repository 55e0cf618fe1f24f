import { join } from 'node:path';
import { isPhotoKind, parseGender, PHOTO_KINDS, type Gender, type PhotoKind } from '@facemask/contracts';
import { type Issues } from './issues.ts';
import { dataLayout, PHOTO_EXTENSIONS } from '@facemask/contracts';
import { isHidden, listDir, splitExt } from './listing.ts';

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

/** Lists train/images: one entry per well-formed person folder with its recognised photos. */
export async function scanTrainImages(root: string, issues: Issues): Promise<TrainScan> {
  const dir = dataLayout.trainImages(root);
  const folders: PersonFolder[] = [];
  let hiddenFiles = 0;
  for (const entry of await listDir(dir, 'train/images folder')) {
    const path = join(dir, entry.name);
    if (isHidden(entry.name)) {
      hiddenFiles++;
      continue;
    }
    if (!entry.isDir) {
      issues.bad(path, 'unexpected file in train/images (only person folders belong there)', 'move it out of train/images');
      continue;
    }
    const parsed = parseFolderName(entry.name);
    if (typeof parsed === 'string') {
      issues.bad(path, parsed, FOLDER_FIX);
      continue;
    }
    const person = await scanPersonFolder(entry.name, path, parsed, issues);
    hiddenFiles += person.hiddenFiles;
    folders.push(person.folder);
  }
  return { folders, hiddenFiles };
}

async function scanPersonFolder(
  name: string,
  path: string,
  parsed: FolderName,
  issues: Issues,
): Promise<{ folder: PersonFolder; hiddenFiles: number }> {
  const byKind = new Map<PhotoKind, PhotoFile>();
  let hiddenFiles = 0;
  for (const e of await listDir(path, 'person folder')) {
    const file = join(path, e.name);
    if (isHidden(e.name)) {
      hiddenFiles++;
      continue;
    }
    const { stem, ext } = splitExt(e.name);
    const okExt = (PHOTO_EXTENSIONS as readonly string[]).includes(ext.toLowerCase());
    if (e.isDir || !okExt || !isPhotoKind(stem)) {
      issues.bad(
        file,
        `unknown ${e.isDir ? 'folder' : 'file'} in a person folder (expected ${PHOTO_KINDS.join(', ')} as .jpg, .jpeg or .png)`,
        'remove it or rename it to one of the seven photo names',
      );
      continue;
    }
    const seen = byKind.get(stem);
    if (seen) {
      issues.bad(file, `second ${stem} photo in the folder (${seen.path} is the first)`, 'keep one photo per kind');
      continue;
    }
    byKind.set(stem, { kind: stem, id: `${name}/${e.name}`, path: file });
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
  return { folder: { ...parsed, folder: name, path, photos }, hiddenFiles };
}

export interface EvalScan {
  /** File name -> absolute path, for every non-hidden file in eval/images. */
  files: Map<string, string>;
  hiddenFiles: number;
}

export async function scanEvalImages(root: string): Promise<EvalScan> {
  const dir = dataLayout.evalImages(root);
  const files = new Map<string, string>();
  let hiddenFiles = 0;
  for (const e of await listDir(dir, 'eval/images folder')) {
    if (isHidden(e.name)) hiddenFiles++;
    else if (!e.isDir) files.set(e.name, join(dir, e.name));
  }
  return { files, hiddenFiles };
}
