import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SYNTH_OPTIONS, generateDataset } from '@facemask/synth';
import { runNx, taskOutcomes } from './nx.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

/**
 * Runs the real pipeline through Nx on a tiny generated set, with the config file outside the
 * repository, and reads from Nx's output which tasks it served from its cache.
 */
let dir: string;
let work: string;
let configFile: string;
const FOLD_TASKS = ['train:round1-fold-0', 'train:round1-fold-1'];
const ALL = ['preprocess:run', ...FOLD_TASKS, 'ensemble:round1', 'submit:run'];

function config(over: { ensemble?: object; train?: object } = {}) {
  return {
    name: 'incremental-test',
    seed: 5,
    data: { root: join(dir, 'data'), work, evalLabels: join(dir, 'data', 'eval_labels.csv') },
    preprocess: { folds: 2, centerCrop: 96, height: 32, width: 32 },
    model: { arch: 'resnet18', widthMultiplier: 0.125 },
    optim: { name: 'adamw', lr: 0.003 },
    scheduler: { name: 'none' },
    train: { epochs: 1, batchSize: 16, ...over.train },
    ensemble: { method: 'soft', ...over.ensemble },
    backend: 'wasm',
  };
}

async function run(cfg: object): Promise<Map<string, 'cached' | 'ran'>> {
  await writeFile(configFile, JSON.stringify(cfg));
  const r = await runNx(['run', 'submit:run', '--outputStyle=stream'], { config: configFile, quiet: true, env: { FORCE_COLOR: '0', FACEMASK_QUIET: '1' } });
  if (r.code !== 0) throw new Error(`nx failed (${r.code}):\n${r.output.slice(-4000)}`);
  return taskOutcomes(r.output);
}

function ran(outcomes: Map<string, 'cached' | 'ran'>): string[] {
  return ALL.filter((t) => outcomes.get(t) === 'ran');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facemask-incremental-'));
  // Nx caches outputs inside the workspace only, so the work folder lives there.
  work = join(WORKSPACE_ROOT, 'data', `.test-work-${process.pid}`);
  configFile = join(dir, 'experiment.json');
  // A data set no earlier run has seen, so nothing of it is in Nx's cache yet (--skip-nx-cache
  // would not store the first run's outputs).
  await generateDataset({ ...DEFAULT_SYNTH_OPTIONS, out: join(dir, 'data'), people: 10, seed: Date.now() % 1_000_000_007, width: 96, height: 128, quiet: true });
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

describe('incremental rebuilds through Nx', () => {
  it('reruns exactly the stages downstream of a change', async () => {
    const first = await run(config());
    expect(ran(first)).toEqual(ALL);
    expect(existsSync(join(work, 'submission', 'submission.csv'))).toBe(true);

    // unchanged: no work at all
    expect(ran(await run(config()))).toEqual([]);

    // an ensemble option: ensemble and submit only
    expect(ran(await run(config({ ensemble: { method: 'hard' } })))).toEqual(['ensemble:round1', 'submit:run']);

    // a training option: the folds and what follows, not preprocess
    expect(ran(await run(config({ ensemble: { method: 'hard' }, train: { batchSize: 8 } })))).toEqual([...FOLD_TASKS, 'ensemble:round1', 'submit:run']);

    // one photo: everything from preprocess on
    const images = join(dir, 'data', 'eval', 'images');
    const one = join(images, (await readdir(images))[0] as string);
    await writeFile(one, await sharp(one).flop().jpeg({ quality: 90 }).toBuffer());
    expect(ran(await run(config({ ensemble: { method: 'hard' }, train: { batchSize: 8 } })))).toEqual(ALL);
  }, 900_000);
});
