import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ModelManifest } from '@facemask/contracts/browser';

/**
 * A member model must take the manifest's input and give its head's outputs; a folder whose
 * files were mixed up fails here with the member named, not later with a shape error. Browser-safe.
 */
export function checkMember(model: LayersModel, manifest: Pick<ModelManifest, 'input' | 'head'>, where: string): void {
  const shape = model.inputs[0]?.shape ?? [];
  const { height, width, channels } = manifest.input;
  if (model.inputs.length !== 1 || shape[1] !== height || shape[2] !== width || shape[3] !== channels) {
    throw new Error(`${where} takes input [${shape.join(', ')}], the manifest says [*, ${height}, ${width}, ${channels}]: export the model again`);
  }
  const want = manifest.head === 'multi' ? 3 : 1;
  if (model.outputs.length !== want) {
    throw new Error(`${where} has ${model.outputs.length} outputs, a '${manifest.head}' head has ${want}: export the model again`);
  }
}
