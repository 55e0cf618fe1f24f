import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { faceApiModelDir } from '../faceapi.ts';

/**
 * face-api's own FaceRecognitionNet, run in this process. Its ESM bundle carries a tfjs copy that
 * attaches to the global tfjs engine (and kernel registry) already made by our tfjs-core, so it runs
 * on the backend the test selected. Two things need help: the bundle's Node platform class needs
 * `util`, which the browser-oriented bundle stubs out (we hide IS_NODE while it loads; our tfjs-core
 * already set a working Node platform), and face-api's own environment check wants CommonJS
 * globals (we hand it a Node environment). PROD silences the "kernel already registered" warnings
 * while the bundle re-registers the same 4.22 kernels.
 */

interface FaceApiModule {
  FaceRecognitionNet: new () => {
    loadFromWeightMap(map: Record<string, unknown>): void;
    computeFaceDescriptor(input: unknown): Promise<Float32Array | Float32Array[]>;
    dispose(): void;
  };
  env: { setEnv(e: unknown): void; createNodejsEnv(): unknown };
  tf: { io: { decodeWeights(buf: ArrayBuffer, specs: unknown[]): Record<string, unknown> } };
}

let faceApi: FaceApiModule | null = null;

async function loadFaceApi(): Promise<FaceApiModule> {
  if (faceApi) return faceApi;
  const env = tf.env();
  const wasNode = env.getBool('IS_NODE');
  const wasProd = env.getBool('PROD');
  env.set('IS_NODE', false);
  env.set('PROD', true);
  try {
    faceApi = (await import('@vladmandic/face-api/dist/face-api.esm.js')) as unknown as FaceApiModule;
  } finally {
    env.set('IS_NODE', wasNode);
    env.set('PROD', wasProd);
  }
  faceApi.env.setEnv(faceApi.env.createNodejsEnv());
  return faceApi;
}

/**
 * Descriptors from face-api's FaceRecognitionNet.computeFaceDescriptor for 150x150 RGB images
 * (uint8, HWC), with the weights decoded by face-api's tfjs (tf.io.decodeWeights), not ours.
 */
export async function faceApiDescriptors(images: Uint8Array[], size = 150): Promise<Float32Array[]> {
  const fa = await loadFaceApi();
  const dir = faceApiModelDir();
  const manifest = JSON.parse(await readFile(join(dir, 'face_recognition_model-weights_manifest.json'), 'utf8')) as {
    paths: string[];
    weights: unknown[];
  }[];
  const group = manifest[0];
  if (!group) throw new Error('empty face-api manifest');
  const bin = Buffer.concat(await Promise.all(group.paths.map((p) => readFile(join(dir, p)))));
  const net = new fa.FaceRecognitionNet();
  net.loadFromWeightMap(fa.tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer, group.weights));
  const out: Float32Array[] = [];
  for (const img of images) {
    const x = tf.tensor3d(img, [size, size, 3], 'int32');
    out.push((await net.computeFaceDescriptor(x)) as Float32Array);
    x.dispose();
  }
  net.dispose();
  return out;
}
