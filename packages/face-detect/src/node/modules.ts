import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { wasmBinaryDir } from '@facemask/engine';
import type { HumanModule } from '../blazeface.ts';
import { createDetector, type DetectorModules, type FaceDetector } from '../detector.ts';
import type { FaceApiModule } from '../faceapi.ts';
import type { DetectOptions } from '../options.ts';
import { packageDir, packageModelFiles } from './identity.ts';

const require = createRequire(import.meta.url);

/*
 * Both packages' default Node entry points require @tensorflow/tfjs-node (a native addon that may
 * be absent). Their `node-wasm` builds import only the pure-JS tfjs packages and run on whatever
 * backend is active, so they are loaded by path. Human's package.json "exports" lists that build
 * under keys Node does not accept ("dist/..." without "./"), hence the path from the main entry.
 */
let modules: DetectorModules | undefined;

/** face-api's and Human's Node builds that run on the active tfjs backend (loaded once). */
export function loadDetectorModules(): DetectorModules {
  modules ??= {
    faceapi: require(join(packageDir('@vladmandic/face-api'), 'dist', 'face-api.node-wasm.js')) as FaceApiModule,
    human: require(join(packageDir('@vladmandic/human'), 'dist', 'human.node-wasm.js')) as HumanModule,
  };
  return modules;
}

/** A detector on the active backend with the packaged weights (select the backend first). */
export async function createNodeDetector(options: DetectOptions): Promise<FaceDetector> {
  const wasmPath = tf.getBackend() === 'wasm' ? `${wasmBinaryDir()}/` : undefined;
  return createDetector(options, { modules: loadDetectorModules(), files: packageModelFiles, ...(wasmPath ? { wasmPath } : {}) });
}
