import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ArtifactError, MODEL_FOLDER_FILES, parseModelManifest, type ModelManifest } from '@facemask/contracts';
import { loadModel } from '@facemask/engine';
// Registers the custom layers the fold models are made of.
import '@facemask/model-resnet/browser';
import type { LoadedEnsemble } from './classify.ts';
import { checkMember } from './members.ts';

/** Reading an exported model folder in Node (the kiosk page reads the same files over HTTP). */

export async function readManifest(dir: string): Promise<ModelManifest> {
  const path = join(dir, MODEL_FOLDER_FILES.manifest);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      const what = (await stat(dir).catch(() => null)) ? `has no ${MODEL_FOLDER_FILES.manifest}` : 'does not exist';
      throw new ArtifactError(`${dir} ${what}: point --model at a folder written by \`pnpm export\``);
    }
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ArtifactError(`${path} is not valid JSON (${(err as Error).message}): export the model again`);
  }
  return parseModelManifest(json, path);
}

/** The manifest and every member model, checked against it; dispose with disposeEnsemble. */
export async function loadModelFolder(dir: string): Promise<LoadedEnsemble> {
  const manifest = await readManifest(dir);
  const models: LayersModel[] = [];
  try {
    for (const member of manifest.members) {
      const model = await loadModel(join(dir, member.path));
      models.push(model);
      checkMember(model, manifest, join(dir, member.path));
    }
  } catch (err) {
    for (const m of models) m.dispose();
    throw err;
  }
  return { manifest, models };
}

export function disposeEnsemble(ens: LoadedEnsemble): void {
  for (const m of ens.models) m.dispose();
}
