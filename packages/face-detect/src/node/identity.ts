import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DetectOptions, ModelIdentity } from '@facemask/contracts/detect';
import { MODEL_DIR, MODEL_OF, modelFileList, type ModelFiles, type ModelName, type ModelPackage } from '../model-files.ts';

/*
 * The weights inside the installed packages and their identities, without tfjs
 * (`@facemask/face-detect/identity`): the Nx plugin hashes them into the detect stage's key.
 */

const require = createRequire(import.meta.url);

/**
 * The installed package's folder. Both packages' default Node entries require tfjs-node, so this
 * resolves the main entry's path without loading it.
 */
export function packageDir(pkg: ModelPackage): string {
  return join(dirname(require.resolve(pkg)), '..');
}

/** The weights inside the installed packages (no download, ever). */
export const packageModelFiles: ModelFiles = {
  async read(pkg, path) {
    const file = join(packageDir(pkg), MODEL_DIR[pkg], path);
    try {
      return new Uint8Array(await readFile(file));
    } catch (err) {
      throw new Error(`cannot read ${pkg} model file ${file}: ${(err as Error).message} (reinstall ${pkg})`);
    }
  },
};

function packageVersion(pkg: ModelPackage): string {
  return (JSON.parse(readFileSync(join(packageDir(pkg), 'package.json'), 'utf8')) as { version: string }).version;
}

/** The networks `options` runs: its detectors, plus the landmark net when asked for. */
export function modelNames(options: Pick<DetectOptions, 'detectors' | 'landmarks'>): ModelName[] {
  return [...new Set<ModelName>([...options.detectors.map((d) => d.name), ...(options.landmarks ? ['landmarks68' as const] : [])])];
}

/** Package, version and file hashes of every network `options` uses: part of the detection cache key. */
export async function modelIdentities(options: Pick<DetectOptions, 'detectors' | 'landmarks'>, files: ModelFiles = packageModelFiles): Promise<ModelIdentity[]> {
  const out: ModelIdentity[] = [];
  for (const detector of modelNames(options)) {
    const { pkg, file } = MODEL_OF[detector];
    const paths = await modelFileList(files, pkg, file);
    const hashed = await Promise.all(
      paths.map(async (path) => ({ path: `${MODEL_DIR[pkg]}/${path}`, sha256: createHash('sha256').update(await files.read(pkg, path)).digest('hex') })),
    );
    out.push({ detector, package: pkg, version: packageVersion(pkg), files: hashed });
  }
  return out;
}
