import { spawn } from 'node:child_process';
import { cp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FOLD_FILES, shownPath, workLayout, WORKSPACE_ROOT, type ConfigInput, type PipelineConfig } from '@facemask/contracts';
import { engineName, engineUnderTest } from '@facemask/engine';
import { main as featuresMain } from './features-main.ts';
import { computeFeatures, freshRun, preparedDataset, trainFold } from './test-utils/dataset.ts';

/**
 * train.mode "features": the backbone's features are computed by one task (train:features) and
 * only read by the folds, however many run at once.
 */
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const over: Partial<ConfigInput> = {
  model: { arch: 'resnet18', widthMultiplier: 0.25 },
  train: { epochs: 20, batchSize: 16, mode: 'features' },
  optim: { name: 'adamw', lr: 0.01 },
  // The fold processes train on the same engine as this one.
  backend: engineName(),
};
let base: ConfigInput;

beforeAll(async () => {
  await engineUnderTest();
  ({ base } = await preparedDataset(12, 41, 32));
}, 600_000);

function foldProcess(configFile: string, fold: number): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', MAIN, '--fold', String(fold), '--config', configFile, '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, FACEMASK_CONFIG: '', TFJS_BACKEND: '' },
  });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((r) => child.on('exit', (code) => r({ code, err })));
}

async function configFile(cfg: PipelineConfig): Promise<string> {
  const file = join(cfg.data.work, 'config.json');
  await writeFile(file, JSON.stringify({ ...base, ...over, data: { ...(base.data as object), work: cfg.data.work } }));
  return file;
}

describe('train:features', () => {
  it('two folds running at once in two processes read the one table it wrote, and end as folds run alone', async () => {
    const alone = await freshRun(base, over);
    await computeFeatures(alone);
    for (const fold of [0, 1]) await trainFold(alone, { round: 1, fold, quiet: true, log: () => {} });

    const together = await freshRun(base, over);
    await computeFeatures(together);
    const table = workLayout.features(together.data.work).table;
    const written = await stat(table);
    const file = await configFile(together);
    const [a, b] = await Promise.all([foldProcess(file, 0), foldProcess(file, 1)]);
    expect(a, a.err).toMatchObject({ code: 0 });
    expect(b, b.err).toMatchObject({ code: 0 });
    // nobody rewrote the table, and nothing else was written beside it
    const after = await stat(table);
    expect([after.ino, after.mtimeMs, after.size]).toEqual([written.ino, written.mtimeMs, written.size]);
    expect((await readdir(workLayout.features(together.data.work).dir)).sort()).toEqual(['features.json', 'features.safetensors']);
    expect(await readFile(table)).toEqual(await readFile(workLayout.features(alone.data.work).table));
    for (const fold of [0, 1]) {
      const [x, y] = [workLayout.fold(alone.data.work, 1, fold), workLayout.fold(together.data.work, 1, fold)];
      expect(await readFile(y.eval, 'utf8')).toBe(await readFile(x.eval, 'utf8'));
      expect(await readFile(join(y.dir, FOLD_FILES.best, 'weights.bin'))).toEqual(await readFile(join(x.dir, FOLD_FILES.best, 'weights.bin')));
    }
  }, 600_000);

  it('a fold never computes features: without them, or with features of another model, it says which task to run', async () => {
    const cfg = await freshRun(base, over);
    await expect(trainFold(cfg, { round: 1, fold: 0, quiet: true, log: () => {} })).rejects.toThrow(
      /^train\/features artifact not found at .*train\/features\/features\.json: run `nx run train:features` first$/,
    );
    await computeFeatures(cfg);
    const wider = await freshRun(base, { ...over, model: { arch: 'resnet18', widthMultiplier: 0.5 } });
    await cp(workLayout.features(cfg.data.work).dir, workLayout.features(wider.data.work).dir, { recursive: true });
    await expect(trainFold(wider, { round: 1, fold: 0, quiet: true, log: () => {} })).rejects.toThrow(
      /^the features in .* were computed for another model, seed, normalisation or image size: run `nx run train:features` first \(the pipeline runs it before the folds\)$/,
    );
  }, 600_000);

  it('its CLI shows the folder it wrote as the other stages show theirs, --quiet or not', async () => {
    const cfg = await freshRun(base, over);
    let printed = '';
    expect(await featuresMain(['--config', await configFile(cfg), '--quiet'], (t) => (printed += t))).toBe(0);
    expect(printed).toContain(` in ${shownPath(workLayout.features(cfg.data.work).dir, WORKSPACE_ROOT)}\n`);
    expect(printed).not.toContain(cfg.data.work);
  }, 600_000);
});

describe.each([
  ['ordinal', ['ThresholdBiases', 'OrdinalBands']],
  ['distribution', ['DistributionBands']],
] as const)("train:features with model.ageHead '%s'", (ageHead, layerClasses) => {
  it('computes the backbone features without the head and trains a fold whose model keeps three outputs', async () => {
    const exact: Partial<ConfigInput> = { ...over, model: { arch: 'resnet18', widthMultiplier: 0.25, head: 'multi', ageHead, featureNorm: true }, train: { epochs: 3, batchSize: 16, mode: 'features' } };
    const cfg = await freshRun(base, exact);
    await computeFeatures(cfg);
    const r = await trainFold(cfg, { round: 1, fold: 0, quiet: true, log: () => {} });
    expect(r.complete).toBe(true);
    expect(r.bestMacroF1).toBeGreaterThanOrEqual(0);
    // The saved classifier (what export ships) ends in the three multi-head outputs, the age head inside it.
    const model = JSON.parse(await readFile(join(workLayout.fold(cfg.data.work, 1, 0).best, 'model.json'), 'utf8')) as { modelTopology: { config: { output_layers: unknown[]; layers: { class_name: string }[] } } };
    const graph = model.modelTopology.config;
    expect(graph.output_layers.length).toBe(3);
    expect(graph.layers.map((l) => l.class_name)).toEqual(expect.arrayContaining([...layerClasses]));
  }, 600_000);
});
