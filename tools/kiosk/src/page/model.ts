import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { MODEL_FOLDER_FILES, parseModelManifest } from '@facemask/contracts/browser';
import { checkMember, type LoadedEnsemble } from '@facemask/ship/browser';

/** The exported model folder the server mounts at `base` (serve.ts), read over HTTP. */
export async function fetchEnsemble(base: string): Promise<LoadedEnsemble> {
  const url = `${base}${MODEL_FOLDER_FILES.manifest}`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}: start the kiosk with --model pointing at a folder written by pnpm export`);
  const manifest = parseModelManifest(await res.json(), url);
  const models: LayersModel[] = [];
  for (const m of manifest.members) {
    const model = await loadLayersModel(`${base}${m.path}/model.json`);
    checkMember(model, manifest, `${base}${m.path}`);
    models.push(model);
  }
  return { manifest, models };
}
