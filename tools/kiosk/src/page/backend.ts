import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** The page's tfjs engines, fastest first; `?backend=NAME` asks for one (and only that one). */
export const PAGE_BACKENDS = ['webgl', 'wasm', 'cpu'] as const;

/** Where the server puts tfjs-backend-wasm's binaries (serve.ts). */
export const WASM_PREFIX = 'tfjs-wasm/';

export async function choosePageBackend(wanted: string | null): Promise<{ name: string; tried: string[] }> {
  setWasmPaths(WASM_PREFIX);
  const order = wanted ? [wanted] : [...PAGE_BACKENDS];
  const tried: string[] = [];
  for (const name of order) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return { name, tried };
      }
      tried.push(`${name}: not available`);
    } catch (err) {
      tried.push(`${name}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no tfjs backend works in this browser (${tried.join('; ')})`);
}
