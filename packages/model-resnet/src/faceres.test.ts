import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, saveModel } from '@facemask/engine';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { input as tfInput, model as tfModel } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { FACE_API_INPUT_SIZE, IMAGENET_MEAN, IMAGENET_STD } from './faceapi.ts';
import { FACERES_FEATURES, FACERES_INPUT_SIZE, FACERES_PREFIX, faceresBranch, humanModelDir, loadFaceresWeights, readFaceresWeights, setFaceresInputAdapter } from './faceres.ts';
import { createModel } from './registry.ts';
import { featureTaps } from './taps.ts';
import { ENGINE, useBackend, type BackendName } from './test-utils/backend.ts';
import { facePixels, normalised, realFaces } from './test-utils/real-faces.ts';

/**
 * The rebuilt faceres MobileNet against Human's own graph model (tfjs-converter executing
 * faceres.json as shipped, fed the way Human feeds it: 0..255 pixels resized bilinearly to
 * 224x224), on real faces read in place, never copied.
 */

const N_FACES = 3;
const S = FACE_API_INPUT_SIZE;

/** Human's faceres graph as shipped, its pooled features for 0..255 pixels (Human's enhance: resize, no crop). */
async function referenceFeatures(images: Uint8Array[]): Promise<number[][]> {
  const dir = humanModelDir();
  const json = JSON.parse(await readFile(join(dir, 'faceres.json'), 'utf8'));
  const group = json.weightsManifest[0];
  const data = Buffer.concat(await Promise.all(group.paths.map((p: string) => readFile(join(dir, p)))));
  const graph = await loadGraphModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: group.weights, weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) }),
  );
  const x = tf.tidy(() => tf.image.resizeBilinear(facePixels(images), [FACERES_INPUT_SIZE, FACERES_INPUT_SIZE], false));
  const out = graph.execute(x, 'global_pooling/Mean') as tf.Tensor;
  const rows = (await out.array()) as number[][];
  tf.dispose([x, out]);
  graph.dispose();
  return rows;
}

let faces: Uint8Array[] = [];
beforeAll(async () => {
  faces = await realFaces(N_FACES);
});

describe('faceres weights', () => {
  it('decode (float16 in the package) with ReLU6 clips and BatchNorm scales', async () => {
    await useBackend('cpu');
    const w = await readFaceresWeights();
    expect(w['conv1/convolution/merged_input']?.shape).toEqual([3, 3, 3, 32]);
    expect(w['conv_pw_13/convolution/merged_input']?.shape).toEqual([1, 1, 1024, 1024]);
    expect(w['conv_dw_7_bn/batchnorm_1/mul']?.shape).toEqual([512]);
    expect(w['conv5_relu/Cast']).toBeUndefined();
    expect(w['conv_dw_3_relu/Cast']?.dataSync()[0]).toBe(6);
    for (const [name, t] of Object.entries(w)) expect(t.dataSync().every(Number.isFinite), name).toBe(true);
    tf.dispose(Object.values(w));
  });
});

describe.each(['cpu', ENGINE] as BackendName[])('faceres features on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it(`match Human's faceres graph within 1e-3 (relative to the feature scale) on ${N_FACES} faces`, async () => {
    const reference = await referenceFeatures(faces);
    const x0 = tfInput({ shape: [S, S, 3] });
    const branch = tfModel({ name: 'faceres_only', inputs: x0, outputs: faceresBranch(x0) });
    setFaceresInputAdapter(branch, IMAGENET_MEAN, IMAGENET_STD);
    await loadFaceresWeights(branch);
    const before = tf.memory().numTensors;
    const x = normalised(faces);
    const out = branch.predict(x) as tf.Tensor;
    expect(out.shape).toEqual([N_FACES, FACERES_FEATURES]);
    const rows = (await out.array()) as number[][];
    tf.dispose([x, out]);
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < N_FACES; i++) {
      const ref = reference[i] as number[];
      const scale = Math.max(...ref.map(Math.abs));
      const maxAbs = Math.max(...(rows[i] as number[]).map((v, k) => Math.abs(v - (ref[k] as number))));
      expect(scale).toBeGreaterThan(0.1);
      expect(maxAbs / scale, `face ${i}`).toBeLessThan(1e-3);
    }
    // Different people, different features: the comparison above is not vacuous.
    const diff = Math.max(...(rows[0] as number[]).map((v, k) => Math.abs(v - (rows[1]?.[k] as number))));
    expect(diff).toBeGreaterThan(0.1);
    branch.dispose();
  });
});

describe('model.extraBackbones: ["faceres"]', () => {
  it("follows the main backbone's features, loads with any `pretrained` and never trains", async () => {
    await useBackend('cpu');
    const opts = { inputHeight: S, inputWidth: S, head: 'multi' as const, pretrained: 'face-api', featureLayers: ['conv64_3.out'], trainableStages: -1 };
    const plainLog: string[] = [];
    const extraLog: string[] = [];
    const plain = await createModel('faceapi_resnet29', opts, { log: (l) => plainLog.push(l) });
    const withExtra = await createModel('faceapi_resnet29', { ...opts, extraBackbones: ['faceres'] }, { log: (l) => extraLog.push(l) });
    // the branch loads its own weights: face-api's loader does not report it as left at initial values
    expect(extraLog).toEqual(plainLog);
    const x = normalised(faces.slice(0, 2));
    const a = featureTaps(plain, ['features']).predict(x) as tf.Tensor;
    const b = featureTaps(withExtra, ['features']).predict(x) as tf.Tensor;
    const dim = a.shape[1] as number;
    expect(b.shape).toEqual([2, dim + FACERES_FEATURES]);
    const [av, bv] = [(await a.array()) as number[][], (await b.array()) as number[][]];
    expect(bv.map((r) => r.slice(0, dim))).toEqual(av);
    const reference = await referenceFeatures(faces.slice(0, 2));
    const tail = bv.map((r) => r.slice(dim));
    for (let i = 0; i < 2; i++) {
      const maxAbs = Math.max(...(tail[i] as number[]).map((v, k) => Math.abs(v - (reference[i]?.[k] as number))));
      expect(maxAbs / Math.max(...(reference[i] as number[]).map(Math.abs))).toBeLessThan(1e-3);
    }
    // Nothing frozen (trainableStages -1), yet the extra backbone stays fixed.
    const trainable = withExtra.trainableWeights.map((w) => w.originalName);
    expect(trainable.some((n) => n.startsWith('conv32_down'))).toBe(true);
    expect(trainable.filter((n) => n.startsWith(FACERES_PREFIX))).toEqual([]);
    // A saved fold (and so an exported model or the kiosk's) carries the branch and its weights.
    const dir = await mkdtemp(join(tmpdir(), 'faceres-'));
    try {
      await saveModel(withExtra, dir);
      const loaded = await loadModel(dir);
      const c = featureTaps(loaded, ['features']).predict(x) as tf.Tensor;
      expect(Array.from(await c.data())).toEqual(Array.from(await b.data()));
      c.dispose();
      loaded.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    tf.dispose([x, a, b]);
    plain.dispose();
    withExtra.dispose();
  });
});
