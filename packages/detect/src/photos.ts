import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { configPathNote, dataLayout, PHOTO_EXTENSIONS, PHOTO_KINDS, type PhotoKind } from '@facemask/contracts';

/** A photo of the data root to detect faces in. */
export interface Photo {
  /** The file. */
  file: string;
  /** Relative to the data root with "/" ("train/images/<folder>/mask1.jpg", "eval/images/<ImageID>"): the record's path. */
  path: string;
  /** mask1..normal for a train photo named by its kind, "eval" for an eval photo, null otherwise. */
  group: PhotoKind | 'eval' | null;
}

/** Code-unit order: the same on every machine and locale. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Dot files (macOS "._mask1.jpg") are metadata, not photos: preprocess ignores them too. */
const hidden = (name: string) => name.startsWith('.');

async function list(dir: string): Promise<{ name: string; dir: boolean }[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => !hidden(e.name)).map((e) => ({ name: e.name, dir: e.isDirectory() || e.isSymbolicLink() })).sort((a, b) => byName(a.name, b.name));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new Error(
        `${dir}: not found. Fix: data.root must be the folder holding train/ and eval/ in the competition layout (train/train.csv, train/images/, eval/info.csv, eval/images/)${configPathNote()}`,
      );
    }
    throw err;
  }
}

const isPhotoFile = (name: string) => (PHOTO_EXTENSIONS as readonly string[]).includes(name.slice(name.lastIndexOf('.') + 1).toLowerCase());
const kindOf = (name: string): PhotoKind | null => {
  const base = name.slice(0, name.lastIndexOf('.'));
  return (PHOTO_KINDS as readonly string[]).includes(base) ? (base as PhotoKind) : null;
};

/**
 * Every photo under train/images/<person>/ and eval/images/ (sorted; dot files left out). A superset
 * of what preprocess caches: a photo it leaves out costs a detection, never a missing record.
 */
export async function listPhotos(root: string): Promise<Photo[]> {
  const out: Photo[] = [];
  const train = dataLayout.trainImages(root);
  for (const person of await list(train)) {
    if (!person.dir) continue;
    for (const f of await list(join(train, person.name))) {
      if (f.dir || !isPhotoFile(f.name)) continue;
      out.push({ file: join(train, person.name, f.name), path: `train/images/${person.name}/${f.name}`, group: kindOf(f.name) });
    }
  }
  const evalDir = dataLayout.evalImages(root);
  for (const f of await list(evalDir)) {
    if (!f.dir) out.push({ file: join(evalDir, f.name), path: `eval/images/${f.name}`, group: 'eval' });
  }
  return out;
}
