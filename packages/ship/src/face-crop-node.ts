import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { MODEL_FOLDER_FILES, type FaceCropRule } from '@facemask/contracts';
import { wasmBinaryDir } from '@facemask/engine';
import { loadDetectorModules } from '@facemask/face-detect/node';
import type { FaceFinder } from './crop.ts';
import { createFaceFinder } from './face-crop.ts';

async function readFolderFile(dir: string, rel: string): Promise<Uint8Array> {
  const file = join(dir, rel);
  try {
    return new Uint8Array(await readFile(file));
  } catch (err) {
    throw new Error(`${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}: the model folder lacks its detector's weights; export the model again`);
  }
}

/**
 * Every detector file the rule names is in the folder with the hash the detect stage recorded.
 * (Checked up front: Human keeps the first BlazeFace it loads for the whole process.)
 */
export async function checkDetectorFiles(dir: string, rule: FaceCropRule): Promise<void> {
  for (const m of rule.models) {
    for (const f of m.files) {
      const rel = MODEL_FOLDER_FILES.detectorFile(m.package, f.path);
      const sha = createHash('sha256').update(await readFolderFile(dir, rel)).digest('hex');
      if (sha !== f.sha256) throw new Error(`${join(dir, rel)} is not the ${m.package}@${m.version} file the training's detections came from: export the model again`);
    }
  }
}

/** `pnpm predict`'s face detector: face-api's and Human's Node builds on the active backend, the folder's checked weights. */
export async function createNodeFaceFinder(dir: string, rule: FaceCropRule): Promise<FaceFinder> {
  await checkDetectorFiles(dir, rule);
  return createFaceFinder(rule, {
    modules: loadDetectorModules(),
    read: (rel) => readFolderFile(dir, rel),
    ...(tf.getBackend() === 'wasm' ? { wasmPath: `${wasmBinaryDir()}/` } : {}),
  });
}
