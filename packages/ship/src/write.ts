import { cp, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { manifestFile, MODEL_FOLDER_FILES, writeDirAtomic, writeFileAtomic, type ModelManifest } from '@facemask/contracts';
import { ExportError } from './gather.ts';

/**
 * Writes a model folder as one unit: built under a temporary name and swapped in, so a reader
 * never sees half a folder. Only a folder that is absent, empty or an earlier export is replaced.
 */
export async function writeModelFolder(dir: string, manifest: ModelManifest, modelDirs: readonly string[]): Promise<void> {
  await refuseForeignFolder(dir);
  await writeDirAtomic(dir, async (tmp) => {
    for (const [i, member] of manifest.members.entries()) await cp(modelDirs[i]!, join(tmp, member.path), { recursive: true });
    await writeFileAtomic(join(tmp, MODEL_FOLDER_FILES.manifest), JSON.stringify(manifestFile(manifest), null, 2) + '\n');
  });
}

async function refuseForeignFolder(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => null);
  if (!info) return;
  if (!info.isDirectory()) throw new ExportError(`--out ${dir} is a file: name a new folder`);
  const entries = await readdir(dir);
  if (entries.length > 0 && !entries.includes(MODEL_FOLDER_FILES.manifest)) {
    throw new ExportError(`--out ${dir} is a folder that holds other files: name a new folder (export replaces only a model folder it wrote)`);
  }
}
