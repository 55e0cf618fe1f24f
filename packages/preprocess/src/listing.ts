import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { configPathNote } from '@facemask/contracts';
import { fatal } from './issues.ts';

/** Dot files (macOS `._mask1.jpg`, `.DS_Store`) are metadata, not photos: skipped silently and counted. */
export function isHidden(name: string): boolean {
  return name.startsWith('.');
}

/** Code-unit order, so listings sort the same on every machine and locale. */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface DirEntry {
  name: string;
  isDir: boolean;
}

export async function listDir(dir: string, what: string): Promise<DirEntry[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      fatal(
        dir,
        `${what} not found`,
        `data.root must be the folder holding train/ and eval/ in the competition layout (train/train.csv, train/images/, eval/info.csv, eval/images/)${configPathNote()}`,
      );
    }
    throw err;
  }
  const out: DirEntry[] = [];
  for (const e of entries) {
    // Symlinked folders count as folders (data sets are often linked in).
    let isDir = e.isDirectory();
    if (e.isSymbolicLink()) {
      isDir = await stat(join(dir, e.name)).then((s) => s.isDirectory(), () => false);
    }
    out.push({ name: e.name, isDir });
  }
  return out.sort((a, b) => byName(a.name, b.name));
}

export function splitExt(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return { stem: name, ext: '' };
  return { stem: name.slice(0, dot), ext: name.slice(dot + 1) };
}
