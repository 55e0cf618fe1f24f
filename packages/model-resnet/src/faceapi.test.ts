import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFaceApiDescriptorModel, FACE_API_INPUT_SIZE, IMAGENET_MEAN, IMAGENET_STD, readFaceApiWeights } from './faceapi.ts';
import { createModel } from './registry.ts';
import { featureTaps } from './taps.ts';
import { faceApiDescriptors } from './test-utils/face-api-reference.ts';
import { ENGINE, useBackend, type BackendName } from './test-utils/backend.ts';

/**
 * The rebuilt face-api network against face-api's own computeFaceDescriptor on real faces.
 * The photos (research licence) are read in place, never copied.
 */

const FACES_DIR = process.env.REALFACES_DIR ?? '/work/shared/realfaces-dev/train/images';
const N_FACES = 3;
const S = FACE_API_INPUT_SIZE;

/** Centre square of the upper photo (where the face is), resized to 150x150 RGB uint8. */
async function faceCrop(path: string): Promise<Uint8Array> {
  const img = sharp(path);
  const { width = 0, height = 0 } = await img.metadata();
  const side = Math.min(width, Math.round(height * 0.6));
  const left = Math.round((width - side) / 2);
  const top = Math.round((height - side) * 0.4);
  const buf = await img.extract({ left, top, width: side, height: side }).resize(S, S).removeAlpha().raw().toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** The toolkit's input: (p/255 - mean) / std, NHWC. */
function normalised(images: Uint8Array[]): tf.Tensor4D {
  return tf.tidy(() => {
    const x = tf.div(tf.tensor4d(Float32Array.from(images.flatMap((i) => Array.from(i))), [images.length, S, S, 3]), 255);
    return tf.div(tf.sub(x, tf.tensor1d([...IMAGENET_MEAN])), tf.tensor1d([...IMAGENET_STD])) as tf.Tensor4D;
  });
}

let faces: Uint8Array[] = [];
beforeAll(async () => {
  const people = readdirSync(FACES_DIR).sort().slice(0, N_FACES);
  faces = await Promise.all(people.map((p) => faceCrop(join(FACES_DIR, p, 'normal.jpg'))));
});

describe('face-api weights', () => {
  it('decode all 117 tensors (uint8-quantised and float32) with plausible values', async () => {
    const w = await readFaceApiWeights();
    expect(w.size).toBe(117);
    expect(w.get('fc')?.shape).toEqual([256, 128]);
    expect(w.get('conv64_1/conv1/conv/filters')?.shape).toEqual([3, 3, 64, 64]);
    for (const [name, t] of w) expect(t.data.every(Number.isFinite), name).toBe(true);
    // Scale weights are positive (dlib folded BN gammas); a dequantisation slip would show here.
    expect(w.get('conv32_1/conv1/scale/weights')?.data.every((v) => v > 0)).toBe(true);
  });
});

describe.each(['cpu', ENGINE] as BackendName[])('face descriptors on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it(`match face-api's computeFaceDescriptor within 1e-3 on ${N_FACES} faces`, async () => {
    expect(faces).toHaveLength(N_FACES);
    const reference = await faceApiDescriptors(faces, S);
    const model = await createFaceApiDescriptorModel();
    const before = tf.memory().numTensors;
    const x = normalised(faces);
    const ours = model.predict(x) as tf.Tensor;
    expect(ours.shape).toEqual([N_FACES, 128]);
    const rows = (await ours.array()) as number[][];
    tf.dispose([x, ours]);
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < N_FACES; i++) {
      const ref = reference[i] as Float32Array;
      const maxAbs = Math.max(...(rows[i] as number[]).map((v, k) => Math.abs(v - (ref[k] as number))));
      expect(maxAbs, `face ${i}`).toBeLessThan(1e-3);
    }
    // Different people get clearly different descriptors (the comparison above is not vacuous).
    const dist = Math.hypot(...(rows[0] as number[]).map((v, k) => v - (rows[1]?.[k] as number)));
    expect(dist).toBeGreaterThan(0.1);
    model.dispose();
  });
});

describe("pretrained: 'face-api' as a backbone", () => {
  it('loads the backbone under a new head (fc unused, logged) with the descriptor net features', async () => {
    await useBackend('cpu');
    const lines: string[] = [];
    const model = await createModel(
      'faceapi_resnet29',
      { inputHeight: S, inputWidth: S, head: 'multi', pretrained: 'face-api', trainableStages: 1 },
      { log: (l) => lines.push(l) },
    );
    expect(lines).toEqual(['face-api weights not used (new head): fc']);
    const reference = await createFaceApiDescriptorModel();
    const x = normalised(faces.slice(0, 2));
    const a = featureTaps(model, ['features']).predict(x) as tf.Tensor;
    const b = featureTaps(reference, ['features']).predict(x) as tf.Tensor;
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    // trainableStages 1: only the 256-wide stage and the heads train; the input adapter never does.
    const trainable = new Set(model.trainableWeights.map((w) => w.originalName.split('/')[0] as string));
    expect([...trainable].every((n) => n.startsWith('conv256_') || n.startsWith('fc_'))).toBe(true);
    expect(trainable.has('conv256_down_out.conv2.scale')).toBe(true);
    expect(trainable.has('input_adapter')).toBe(false);
    const outs = model.predict(x) as tf.Tensor[];
    expect(outs.map((o) => o.shape)).toEqual([[2, 3], [2, 2], [2, 3]]);
    tf.dispose([x, a, b, ...outs]);
    model.dispose();
    reference.dispose();
  });
});
