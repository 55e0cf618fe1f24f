import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFaceApiDescriptorModel, FACE_API_INPUT_SIZE, readFaceApiWeights } from './faceapi.ts';
import { MULTI_HEADS } from './heads.ts';
import { createModel } from './registry.ts';
import { featureTaps } from './taps.ts';
import { faceApiDescriptors } from './test-utils/face-api-reference.ts';
import { ENGINE, useBackend, type BackendName } from './test-utils/backend.ts';
import { normalised, realFaces } from './test-utils/real-faces.ts';

/**
 * The rebuilt face-api network against face-api's own computeFaceDescriptor on real faces.
 * The photos (research licence) are read in place, never copied.
 */

const N_FACES = 3;
const S = FACE_API_INPUT_SIZE;

let faces: Uint8Array[] = [];
beforeAll(async () => {
  faces = await realFaces(N_FACES);
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
  it('loads the backbone under a new head (its layers logged) with the descriptor net features', async () => {
    await useBackend('cpu');
    const lines: string[] = [];
    const model = await createModel(
      'faceapi_resnet29',
      { inputHeight: S, inputWidth: S, head: 'multi', pretrained: 'face-api', trainableStages: 1 },
      { log: (l) => lines.push(l) },
    );
    // the multi head's own layers, not face-api's descriptor 'fc', which this model has no layer of
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`: ${MULTI_HEADS.map((h) => h.name).join(', ')}$`));
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
