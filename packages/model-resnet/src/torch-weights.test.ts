import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseSafetensors, readSafetensors, tensorF32, type SafetensorsFile } from '@facemask/engine';
import { referenceCases, referenceDir } from '@facemask/contracts/reference';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAD_LAYERS, MULTI_HEADS } from './heads.ts';
import { createModel } from './registry.ts';
import { exportStateDict, exportStateDictBytes, loadTorchSafetensors, saveTorchSafetensors, stateDictSpec } from './torch-weights.ts';
import { useBackend } from './test-utils/backend.ts';

const SIZE = { inputHeight: 64, inputWidth: 64 };
const cases = referenceCases('resnet');

function weightsOf(model: LayersModel): Float32Array[] {
  return model.weights.map((w) => w.read().dataSync() as Float32Array);
}

/** Byte equality; vitest's deep equality is far too slow for millions of floats. */
function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function sameWeights(a: Float32Array[], b: Float32Array[]): boolean {
  return a.length === b.length && a.every((w, i) => sameBytes(w, b[i] as Float32Array));
}

function bytesOf(t: { data: ArrayBufferView }): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

let tmp: string;
beforeAll(async () => {
  await useBackend('cpu');
  tmp = await mkdtemp(join(tmpdir(), 'model-resnet-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('torch state_dict export/import', () => {
  it('maps layers to torchvision key names and layouts', async () => {
    const m = await createModel('resnet50', { ...SIZE, numClasses: 7 });
    const spec = new Map(stateDictSpec(m).map((s) => [s.key, s.torchShape]));
    expect(spec.get('conv1.weight')).toEqual([64, 3, 7, 7]);
    expect(spec.get('bn1.running_var')).toEqual([64]);
    // v1.5: the stride-2 3x3 is conv2 of the bottleneck; its downsample is a 1x1 conv + BN.
    expect(spec.get('layer2.0.conv2.weight')).toEqual([128, 128, 3, 3]);
    expect(spec.get('layer2.0.downsample.0.weight')).toEqual([512, 256, 1, 1]);
    expect(spec.get('layer2.0.downsample.1.weight')).toEqual([512]);
    expect(spec.get('fc.weight')).toEqual([7, 2048]);
    expect(spec.get('fc.bias')).toEqual([7]);
    expect([...spec.keys()].some((k) => k.includes('bias') && k.includes('conv'))).toBe(false);
    m.dispose();
  });

  it('round trip: export, re-import into a differently seeded model, identical weights and bytes', async () => {
    const a = await createModel('resnet18', { ...SIZE, seed: 1 });
    const b = await createModel('resnet18', { ...SIZE, seed: 2 });
    const wa = weightsOf(a);
    expect(sameWeights(weightsOf(b), wa)).toBe(false);
    const bytes = exportStateDictBytes(a);
    const report = await loadTorchSafetensors(b, parseSafetensors(bytes));
    expect(report.skipped).toEqual([]);
    expect(sameWeights(weightsOf(b), wa)).toBe(true);
    expect(sameBytes(exportStateDictBytes(b), bytes)).toBe(true);
    a.dispose();
    b.dispose();
  });

  it.each(cases.map((c) => [c.id, c] as const))('export equals the fixture file tensor for tensor (%s)', async (_id, c) => {
    const p = c.params as { arch: string; num_classes: number };
    const file = await readSafetensors(resolve(referenceDir(), c.files.weights as string));
    const m = await createModel(p.arch, { ...SIZE, numClasses: p.num_classes });
    const before = tf.memory().numTensors;
    await loadTorchSafetensors(m, file);
    const exported = exportStateDict(m);
    expect([...exported.keys()].sort()).toEqual([...file.tensors.keys()].sort());
    for (const [key, t] of file.tensors) {
      const e = exported.get(key);
      expect(e, key).toBeDefined();
      expect(e?.dtype, key).toBe(t.dtype);
      expect(e?.shape, key).toEqual(t.shape);
      expect(sameBytes(bytesOf(e as { data: ArrayBufferView }), t.bytes), key).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);

    // The file written to disk reads back the same.
    const path = join(tmp, `${p.arch}.safetensors`);
    await saveTorchSafetensors(m, path);
    const back = await readSafetensors(path);
    expect(back.metadata.arch).toBe(p.arch);
    for (const [key, t] of file.tensors) expect(sameBytes(back.tensors.get(key)?.bytes ?? new Uint8Array(), t.bytes), key).toBe(true);
    m.dispose();
  });
});

describe('partial loading', () => {
  const c = cases[0];
  let file: SafetensorsFile;
  let arch: string;
  beforeAll(async () => {
    if (!c) throw new Error('no resnet case in the manifest');
    file = await readSafetensors(resolve(referenceDir(), c.files.weights as string));
    arch = (c.params as { arch: string }).arch;
  });

  it('keeps the pretrained backbone and a new head when numClasses differs (fc skipped, logged)', async () => {
    const fcRows = (file.tensors.get('fc.weight')?.shape[0] ?? 0) + 3;
    const fresh = await createModel(arch, { ...SIZE, numClasses: fcRows });
    const initialFc = fresh.getLayer(HEAD_LAYERS.single).getWeights().map((t) => t.dataSync().slice());
    fresh.dispose();
    const lines: string[] = [];
    const path = resolve(referenceDir(), c?.files.weights as string);
    const m = await createModel(arch, { ...SIZE, numClasses: fcRows, pretrained: path }, { log: (l) => lines.push(l) });
    expect(lines.filter((l) => l.includes('skipped fc.weight'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('skipped fc.bias'))).toHaveLength(1);
    expect(lines).toHaveLength(2);
    expect(sameWeights(m.getLayer(HEAD_LAYERS.single).getWeights().map((t) => t.dataSync() as Float32Array), initialFc as Float32Array[])).toBe(true);
    const conv1 = file.tensors.get('conv1.weight');
    if (!conv1) throw new Error('fixture lacks conv1.weight');
    const ours = tf.tidy(() => tf.transpose(m.getLayer('conv1').getWeights()[0] as tf.Tensor, [3, 2, 0, 1]).dataSync());
    expect(sameBytes(ours, tensorF32(conv1))).toBe(true);
    const bn = m.getLayer('layer4.1.bn2').getWeights();
    expect(sameBytes(bn[3]?.dataSync() as Float32Array, tensorF32(file.tensors.get('layer4.1.bn2.running_var') as never))).toBe(true);
    m.dispose();
  });

  it('multi head: fc.* is skipped, the three heads keep their initialisation', async () => {
    const lines: string[] = [];
    const m = await createModel(arch, { ...SIZE, head: 'multi' });
    const report = await loadTorchSafetensors(m, file, { log: (l) => lines.push(l) });
    const skipped = new Map(report.skipped.map((s) => [s.key, s.reason]));
    // the file's torchvision 'fc', and the model's three heads
    const keys = ['fc', ...MULTI_HEADS.map((h) => h.name)].flatMap((layer) => [`${layer}.bias`, `${layer}.weight`]);
    expect([...skipped.keys()].sort()).toEqual(keys.sort());
    expect(skipped.get('fc.weight')).toMatch(/no such head layer/);
    expect(skipped.get(`${HEAD_LAYERS.mask}.weight`)).toMatch(/not in the file/);
    expect(lines).toHaveLength(8);
    expect(report.loaded.some((k) => k.startsWith('fc_'))).toBe(false);
    m.dispose();
  });

  it('rejects a file of another architecture, naming the file and the keys', async () => {
    const other = arch === 'resnet34' ? 'resnet18' : 'resnet34';
    const m = await createModel(other, SIZE);
    const path = resolve(referenceDir(), c?.files.weights as string);
    const before = tf.memory().numTensors;
    await expect(loadTorchSafetensors(m, path)).rejects.toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*(missing|unexpected) key`));
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('rejects a width-scaled model (backbone shapes differ)', async () => {
    const path = resolve(referenceDir(), c?.files.weights as string);
    await expect(createModel(arch, { ...SIZE, widthMultiplier: 0.5, pretrained: path })).rejects.toThrow(/conv1\.weight: shape \[64,3,7,7\] in the file/);
  });

  it("rejects a pretrained value that is neither a .safetensors path nor 'face-api' for this arch", async () => {
    await expect(createModel(arch, { ...SIZE, pretrained: 'imagenet' })).rejects.toThrow(/neither 'face-api' nor a \.safetensors/);
    await expect(createModel(arch, { ...SIZE, pretrained: 'face-api' })).rejects.toThrow(/faceapi_resnet29/);
  });
});
