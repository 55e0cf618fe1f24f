import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { wasmBinaryDir } from '@facemask/core';
import type { ModelIdentity } from '../artifact.ts';
import { BLAZEFACE_GRAPH, type HumanModule } from '../blazeface.ts';
import { createDetector, type DetectorModules, type FaceDetector } from '../detector.ts';
import { FACE_API_WEIGHTS, type FaceApiModule } from '../faceapi.ts';
import { modelFileList, type ModelFiles, type ModelPackage } from '../models.ts';
import type { DetectOptions, DetectorName } from '../options.ts';

const require = createRequire(import.meta.url);

/*
 * Both packages' default Node entry points require @tensorflow/tfjs-node (a native addon that may
 * be absent). Their `node-wasm` builds import only the pure-JS tfjs packages and run on whatever
 * backend is active, so they are loaded by path. Human's package.json "exports" lists that build
 * under keys Node does not accept ("dist/..." without "./"), hence the path from the main entry.
 */
function packageDir(pkg: ModelPackage): string {
  const main = require.resolve(pkg);
  return join(dirname(main), '..');
}

const MODEL_DIR: Record<ModelPackage, string> = { '@vladmandic/face-api': 'model', '@vladmandic/human': 'models' };

let modules: DetectorModules | undefined;

/** face-api's and Human's Node builds that run on the active tfjs backend (loaded once). */
export function loadDetectorModules(): DetectorModules {
  modules ??= {
    faceapi: require(join(packageDir('@vladmandic/face-api'), 'dist', 'face-api.node-wasm.js')) as FaceApiModule,
    human: require(join(packageDir('@vladmandic/human'), 'dist', 'human.node-wasm.js')) as HumanModule,
  };
  return modules;
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
  return (JSON.parse(require('node:fs').readFileSync(join(packageDir(pkg), 'package.json'), 'utf8')) as { version: string }).version;
}

const MODEL_OF: Record<DetectorName | 'landmarks68', { pkg: ModelPackage; file: string }> = {
  ssd: { pkg: '@vladmandic/face-api', file: `${FACE_API_WEIGHTS.ssd}-weights_manifest.json` },
  tiny: { pkg: '@vladmandic/face-api', file: `${FACE_API_WEIGHTS.tiny}-weights_manifest.json` },
  landmarks68: { pkg: '@vladmandic/face-api', file: `${FACE_API_WEIGHTS.landmarks68}-weights_manifest.json` },
  blazeface: { pkg: '@vladmandic/human', file: BLAZEFACE_GRAPH },
};

/** Package, version and file hashes of every network `options` uses: the detection cache key. */
export async function modelIdentities(options: DetectOptions, files: ModelFiles = packageModelFiles): Promise<ModelIdentity[]> {
  const names = [...new Set<DetectorName | 'landmarks68'>([...options.detectors.map((d) => d.name), ...(options.landmarks ? ['landmarks68' as const] : [])])];
  const out: ModelIdentity[] = [];
  for (const detector of names) {
    const { pkg, file } = MODEL_OF[detector];
    const paths = await modelFileList(files, pkg, file);
    const hashed = await Promise.all(paths.map(async (path) => ({ path: `${MODEL_DIR[pkg]}/${path}`, sha256: createHash('sha256').update(await files.read(pkg, path)).digest('hex') })));
    out.push({ detector, package: pkg, version: packageVersion(pkg), files: hashed });
  }
  return out;
}

/** A detector on the active backend with the packaged weights (select the backend first). */
export async function createNodeDetector(options: DetectOptions): Promise<FaceDetector> {
  const wasmPath = tf.getBackend() === 'wasm' ? `${wasmBinaryDir()}/` : undefined;
  return createDetector(options, { modules: loadDetectorModules(), files: packageModelFiles, ...(wasmPath ? { wasmPath } : {}) });
}
