import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { PHOTO_EXTENSIONS } from '@facemask/contracts';

/** The photos named on the command line: files as given, folders walked for photo files. */
export interface PhotoList {
  /** In argument order; each folder's photos sorted by path. */
  files: string[];
  /** Arguments that do not exist. */
  missing: string[];
  /** Files inside folders that are not photos by their extension (not read). */
  ignored: number;
}

const isPhoto = (name: string) => (PHOTO_EXTENSIONS as readonly string[]).includes(extname(name).slice(1).toLowerCase());

export async function listPhotos(args: readonly string[]): Promise<PhotoList> {
  const out: PhotoList = { files: [], missing: [], ignored: 0 };
  for (const arg of args) {
    const info = await stat(arg).catch(() => null);
    if (!info) out.missing.push(arg);
    else if (info.isDirectory()) await walk(arg, out);
    else out.files.push(arg);
  }
  return out;
}

async function walk(dir: string, out: PhotoList): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    // Dot files are editor and OS litter (macOS "._x.jpg"), as preprocess treats them.
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) await walk(path, out);
    else if (e.isFile() && isPhoto(e.name)) out.files.push(path);
    else out.ignored += 1;
  }
}
