import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { manifestFile, MODEL_FOLDER_FILES, writeDirAtomic, writeFileAtomic, type ModelIdentity, type ModelManifest } from '@facemask/contracts';
import { MODEL_DIR, type ModelPackage } from '@facemask/face-detect';
import { packageDir } from '@facemask/face-detect/identity';
import { ExportError } from './gather.ts';

/**
 * Writes a model folder as one unit: built under a temporary name and swapped in, so a reader
 * never sees half a folder. Only a folder that is absent, empty or an earlier export is replaced.
 */
export async function writeModelFolder(dir: string, manifest: ModelManifest, modelDirs: readonly string[]): Promise<void> {
  await refuseForeignFolder(dir);
  await writeDirAtomic(dir, async (tmp) => {
    for (const [i, member] of manifest.members.entries()) await cp(modelDirs[i]!, join(tmp, member.path), { recursive: true });
    if (manifest.crop.kind === 'face') await copyDetectorWeights(tmp, manifest.crop.models);
    await writeFileAtomic(join(tmp, MODEL_FOLDER_FILES.manifest), JSON.stringify(manifestFile(manifest), null, 2) + '\n');
  });
}

/**
 * The detector weights from the installed packages, each checked against the hash the detect
 * stage recorded: the folder carries the very networks the training photos were cropped by.
 */
async function copyDetectorWeights(tmp: string, models: readonly ModelIdentity[]): Promise<void> {
  for (const m of models) {
    if (!isModelPackage(m.package)) throw new ExportError(`the detections name weights from ${m.package}, which face-detect does not load: rerun detect`);
    for (const f of m.files) {
      const from = join(packageDir(m.package), f.path);
      const bytes = await readFile(from);
      if (createHash('sha256').update(bytes).digest('hex') !== f.sha256) {
        throw new ExportError(`${from} is not the file the detect stage ran (${m.package}@${m.version}, sha256 ${f.sha256.slice(0, 12)}…): install that version, or rerun the pipeline`);
      }
      const to = join(tmp, MODEL_FOLDER_FILES.detectorFile(m.package, f.path));
      await mkdir(dirname(to), { recursive: true });
      await writeFile(to, bytes);
    }
  }
}

const isModelPackage = (p: string): p is ModelPackage => p in MODEL_DIR;

async function refuseForeignFolder(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => null);
  if (!info) return;
  if (!info.isDirectory()) throw new ExportError(`--out ${dir} is a file: name a new folder`);
  const entries = await readdir(dir);
  if (entries.length > 0 && !entries.includes(MODEL_FOLDER_FILES.manifest)) {
    throw new ExportError(`--out ${dir} is a folder that holds other files: name a new folder (export replaces only a model folder it wrote)`);
  }
}
