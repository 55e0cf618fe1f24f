import { cp, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as Contracts from '@facemask/contracts';
import { featuresMetaArtifact, FEATURES_FILES, parseConfig, readArtifact, sha256OfFile, workLayout, type ConfigInput, type PipelineConfig } from '@facemask/contracts';
import { claimWorkFolder } from '@facemask/contracts/work-folder';
import { engineName, engineUnderTest } from '@facemask/engine';
import { engineIdentity } from '@facemask/engine/probe';
import { createModel } from '@facemask/model-resnet';
import { checkFeatureStore, featureStoreKey, findFeatureStore, modelDigest, publishFeatureStore, type FeatureStoreInputs } from './feature-store.ts';
import { readFeatures } from './features-io.ts';
import { computeFeatures, preparedDataset } from './test-utils/dataset.ts';

/*
 * The shared feature store: keyed on what a feature table is a function of, found by a second
 * work folder of the same runs folder, which then runs no backbone; anything else computes anew.
 */

// Every file train hashes, so a test can count how often a table is read whole.
const hashed = vi.hoisted(() => [] as string[]);
vi.mock('@facemask/contracts', async (importOriginal) => {
  const real = await importOriginal<typeof Contracts>();
  return { ...real, sha256OfFile: (path: string) => (hashed.push(path), real.sha256OfFile(path)) };
});

let dir: string;
let base: ConfigInput;
beforeAll(async () => {
  await engineUnderTest();
  dir = await mkdtemp(join(tmpdir(), 'feature-store-'));
  ({ base } = await preparedDataset(8, 7, 32));
}, 600_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const inputs: FeatureStoreInputs = { params: { mean: [0.5, 0.5, 0.5] }, model: 'a'.repeat(64), engine: engineIdentity('wasm'), pixels: ['1'.repeat(64), '2'.repeat(64)] };

describe('featureStoreKey and modelDigest', () => {
  it('change with every input the table depends on', () => {
    const key = featureStoreKey(inputs);
    expect(featureStoreKey({ ...inputs })).toBe(key);
    for (const other of [
      { ...inputs, params: { mean: [0.4, 0.5, 0.5] } },
      { ...inputs, model: 'b'.repeat(64) },
      { ...inputs, engine: engineIdentity('cpu') },
      { ...inputs, pixels: [inputs.pixels[1]!, inputs.pixels[0]!] },
    ]) {
      expect(featureStoreKey(other)).not.toBe(key);
    }
  });

  it('a model digest is the same for the same build and moves with any weight', async () => {
    const build = () => createModel('resnet18', { inputHeight: 32, inputWidth: 32, widthMultiplier: 0.25, seed: 3 }, { log: () => {} });
    const [a, b] = [await build(), await build()];
    try {
      expect(modelDigest(a)).toBe(modelDigest(b));
      const layer = b.getLayer('layer1.0.conv1');
      const [w] = layer.getWeights();
      const nudged = tf.tidy(() => tf.add(w!, tf.scalar(1e-6)));
      layer.setWeights([nudged]);
      nudged.dispose();
      expect(modelDigest(b)).not.toBe(modelDigest(a));
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});

describe('publishFeatureStore', () => {
  it('stores once (two publishers of one key both succeed), and a changed table is found damaged', async () => {
    const runs = join(dir, 'pub', 'runs');
    const table = join(dir, 'table.bin');
    await writeFile(table, new Uint8Array([1, 2, 3, 4]));
    const key = featureStoreKey(inputs);
    const entry = { count: 1, dim: 1, engine: 'wasm', tableSha256: await sha256OfFile(table) };
    const files = await Promise.all([publishFeatureStore(join(runs, 'a'), key, table, entry), publishFeatureStore(join(runs, 'b'), key, table, entry)]);
    expect(new Set(files).size).toBe(1);
    const found = await checkFeatureStore(join(runs, 'a'), key);
    expect('entry' in found && found.entry).toMatchObject({ key, count: 1, dim: 1, engine: 'wasm' });
    // The stored table is the run's, linked: a write through the run shows in the store.
    await writeFile(table, new Uint8Array([9, 9, 9, 9]));
    const lines: string[] = [];
    expect(await findFeatureStore(join(runs, 'b'), key, (l) => lines.push(l))).toBeNull();
    expect(lines.join('\n')).toMatch(/feature store .* has sha256 .* not the .* recorded when it was stored/);
    await publishFeatureStore(join(runs, 'b'), key, table, { ...entry, tableSha256: await sha256OfFile(table) });
    expect('entry' in (await checkFeatureStore(join(runs, 'a'), key))).toBe(true);
  });
});

/** A work folder `name` of a runs folder under `dir`, with a copy of the prepared preprocess output and pixels. */
async function runsWork(name: string, over: Partial<ConfigInput>): Promise<PipelineConfig> {
  const work = join(dir, 'ws', 'runs', name);
  await claimWorkFolder(work);
  const from = (base.data as { work: string }).work;
  await cp(join(from, 'preprocess'), join(work, 'preprocess'), { recursive: true });
  await cp(workLayout.imageStores(from), workLayout.imageStores(work), { recursive: true, force: false });
  return parseConfig({ ...base, ...over, data: { ...(base.data as object), work } } as ConfigInput);
}

describe('train:features through the store', () => {
  const over: Partial<ConfigInput> = { model: { arch: 'resnet18', widthMultiplier: 0.25 }, train: { mode: 'features' }, backend: engineName() };

  it('a second work folder with the same backbone links the first one\'s table and runs no backbone; another backbone computes', async () => {
    const a = await runsWork('a', over);
    const b = await runsWork('b', { ...over, optim: { name: 'adamw', lr: 0.5 } });
    const c = await runsWork('c', { ...over, model: { arch: 'resnet18', widthMultiplier: 0.5 } });
    const logs: Record<string, string[]> = { a: [], b: [], c: [] };
    hashed.length = 0;
    await computeFeatures(a, (l) => logs.a!.push(l));
    // Tens to hundreds of MB: the sha256 writeFeatures records is the one the store gets.
    expect(hashed.filter((f) => basename(f) === FEATURES_FILES.table)).toHaveLength(1);
    await computeFeatures(b, (l) => logs.b!.push(l));
    await computeFeatures(c, (l) => logs.c!.push(l));
    expect(logs.a!.join('\n')).toMatch(/computing backbone features[\s\S]*stored for other runs in /);
    // the store's folder as shownPath shows it, like every stage's paths: not this machine's absolute path
    for (const lines of Object.values(logs)) expect(lines.join('\n')).not.toContain(dir);
    expect(logs.b!.join('\n')).toMatch(/no backbone ran: the features of \d+ photos come from the shared feature store/);
    expect(logs.b!.join('\n')).not.toMatch(/computing backbone features/);
    expect(logs.c!.join('\n')).toMatch(/computing backbone features/);
    const ino = (w: PipelineConfig) => stat(workLayout.features(w.data.work).table).then((s) => s.ino);
    expect(await ino(b)).toBe(await ino(a));
    expect(await ino(c)).not.toBe(await ino(a));
    // b's folds read its table as their own: its record (with the stored table's digest) checks out.
    const table = async (w: PipelineConfig) => {
      const { dim: _dim, tableSha256: _sha, ...expected } = await readArtifact(featuresMetaArtifact, workLayout.features(w.data.work).meta);
      return readFeatures(w.data.work, expected);
    };
    const [ta, tb] = [await table(a), await table(b)];
    expect(tb.count).toBe(ta.count);
    expect(Array.from(tb.plain)).toEqual(Array.from(ta.plain));
  }, 600_000);
});
