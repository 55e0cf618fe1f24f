import * as faceapi from '@vladmandic/face-api';
import * as human from '@vladmandic/human';
import type { FaceCropRule } from '@facemask/contracts/browser';
import type { FaceApiModule, HumanModule } from '@facemask/face-detect';
import { createFaceFinder, type FaceFinder } from '@facemask/ship/browser';
import { WASM_PREFIX } from './backend.ts';

/**
 * The page's face detector: @facemask/face-detect's, on the page's tfjs, with face-api's and
 * Human's tfjs-free browser builds (bundle.ts) and the weights the export copied into the model
 * folder, fetched from where the server mounts it.
 */
export function createPageFaceFinder(base: string, rule: FaceCropRule): Promise<FaceFinder> {
  return createFaceFinder(rule, {
    modules: { faceapi: faceapi as unknown as FaceApiModule, human: human as unknown as HumanModule },
    read: async (rel) => {
      const res = await fetch(`${base}${rel}`);
      if (!res.ok) throw new Error(`${base}${rel}: HTTP ${res.status}: the model folder lacks its detector's weights; export the model again`);
      return new Uint8Array(await res.arrayBuffer());
    },
    wasmPath: WASM_PREFIX,
  });
}
