import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, ModelFolderError, readModelMetadata, saveModel } from './model-io.ts';
import { seededData } from './wasm-kernels/parity.ts';

/** conv → BatchNorm → relu → gap → dense, with every weight (BN moving stats too) set from a seed. */
function model(seed: number): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3] });
  let x = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const m = tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 5 }).apply(x) as tfl.SymbolicTensor });
  m.setWeights(
    m.weights.map((w, i) => {
      // Moving variances must stay positive; everything else is signed.
      const positive = w.originalName.includes('moving_variance');
      const size = w.shape.reduce((a, b) => a! * b!, 1)!;
      return tf.tensor(seededData(size, seed * 100 + i, (v) => (positive ? 0.5 + Math.abs(v) : v)), w.shape as number[]);
    }),
  );
  return m;
}

const input = seededData(3 * 8 * 8 * 3, 5);
const predict = (m: tfl.LayersModel) => tf.tidy(() => (m.predict(tf.tensor4d(input, [3, 8, 8, 3])) as tf.Tensor).dataSync().slice());

describe('saveModel / loadModel', () => {
  let root: string;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    root = await mkdtemp(join(tmpdir(), 'model-io-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('round-trips weights (BatchNorm moving stats included) and predictions bit for bit, in the tfjs format', async () => {
    const m = model(1);
    const dir = join(root, 'best');
    await saveModel(m, dir, { metadata: { epoch: 3, macroF1: 0.5 } });
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as {
      format: string;
      modelTopology: unknown;
      weightsManifest: { paths: string[]; weights: { name: string }[] }[];
    };
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology).toBeTypeOf('object');
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0]!.weights.some((w) => w.name.includes('moving_variance'))).toBe(true);

    const before = tf.memory().numTensors;
    const loaded = await loadModel(dir);
    expect(loaded.weights.map((w) => w.originalName)).toEqual(m.weights.map((w) => w.originalName));
    for (let i = 0; i < m.weights.length; i++) {
      expect(Array.from(loaded.weights[i]!.read().dataSync()), m.weights[i]!.name).toEqual(Array.from(m.weights[i]!.read().dataSync()));
    }
    expect(Array.from(predict(loaded))).toEqual(Array.from(predict(m)));
    expect(await readModelMetadata(dir)).toEqual({ epoch: 3, macroF1: 0.5 });
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('keeps the previous model when a save fails, and leaves no temporary folders', async () => {
    const dir = join(root, 'keep');
    const good = model(2);
    await saveModel(good, dir, { metadata: { version: 'good' } });
    const other = model(3);
    // BigInt cannot be serialised: the save fails while the new folder is being built.
    await expect(saveModel(other, dir, { metadata: { bad: 1n } })).rejects.toThrow(/BigInt/);
    expect((await readdir(root)).filter((f) => f.startsWith('.'))).toEqual([]);
    const loaded = await loadModel(dir);
    expect(Array.from(predict(loaded))).toEqual(Array.from(predict(good)));
    expect(await readModelMetadata(dir)).toEqual({ version: 'good' });
    // A successful save replaces it.
    await saveModel(other, dir);
    const replaced = await loadModel(dir);
    expect(Array.from(predict(replaced))).toEqual(Array.from(predict(other)));
    expect(await readModelMetadata(dir)).toEqual({});
    for (const x of [good, other, loaded, replaced]) x.dispose();
  });

  it('loads sharded weight files listed in the manifest', async () => {
    const m = model(4);
    const dir = join(root, 'sharded');
    await saveModel(m, dir);
    const bin = await readFile(join(dir, 'weights.bin'));
    const cut = Math.floor(bin.byteLength / 2);
    await writeFile(join(dir, 'group1-shard1of2.bin'), bin.subarray(0, cut));
    await writeFile(join(dir, 'group1-shard2of2.bin'), bin.subarray(cut));
    await rm(join(dir, 'weights.bin'));
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    json.weightsManifest[0]!.paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin'];
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    expect(Array.from(predict(await loadModel(dir)))).toEqual(Array.from(predict(m)));
  });

  describe('damaged or missing folders give an error naming the file and the fix', () => {
    let dir: string;
    beforeAll(async () => {
      dir = join(root, 'damaged');
      await saveModel(model(5), dir);
    });
    const expectError = async (p: Promise<unknown>, re: RegExp) => {
      const err = await p.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelFolderError);
      expect((err as Error).message).toMatch(re);
    };
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

    it('a folder that does not exist', async () => {
      await expectError(loadModel(join(root, 'nope')), new RegExp(`^${esc(join(root, 'nope'))} does not exist.*rerun the training step that writes it$`));
    });

    it('model.json missing', async () => {
      const empty = join(root, 'empty');
      await mkdir(empty);
      const re = new RegExp(`^${esc(join(empty, 'model.json'))} is missing: the folder is not a saved model; rerun the training step that writes it$`);
      await expectError(loadModel(empty), re);
      await expectError(readModelMetadata(empty), re);
    });

    it('weights missing, truncated, or outside the folder', async () => {
      const bin = await readFile(join(dir, 'weights.bin'));
      await writeFile(join(dir, 'weights.bin'), bin.subarray(0, bin.byteLength - 4));
      await expectError(loadModel(dir), new RegExp(`^${esc(join(dir, 'weights.bin'))} is truncated or corrupt \\(${bin.byteLength - 4} bytes; model.json describes ${bin.byteLength}\\)`));
      await rm(join(dir, 'weights.bin'));
      await expectError(loadModel(dir), new RegExp(`^${esc(join(dir, 'weights.bin'))} is missing: .*rerun the training step that writes it$`));
      const text = await readFile(join(dir, 'model.json'), 'utf8');
      await writeFile(join(dir, 'model.json'), text.replace('"weights.bin"', '"../weights.bin"'));
      await expectError(loadModel(dir), /names weight file "\.\.\/weights\.bin" outside the folder/);
    });

    it('model.json corrupt or not a layers model', async () => {
      await writeFile(join(dir, 'model.json'), '{"modelTopology": ');
      await expectError(loadModel(dir), new RegExp(`^${esc(join(dir, 'model.json'))} is corrupt \\(not valid JSON`));
      await writeFile(join(dir, 'model.json'), '{"format": "graph-model"}');
      await expectError(readModelMetadata(dir), /is not a tfjs layers model \(needs modelTopology and weightsManifest\)/);
    });
  });
});
