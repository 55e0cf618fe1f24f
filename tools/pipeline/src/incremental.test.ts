import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArtifact, runRecordArtifact, targets, workLayout, type ConfigInput } from '@facemask/contracts';
import { DEFAULT_SYNTH_OPTIONS, generateDataset } from '@facemask/synth';
import { runNx, taskOutcomes } from './nx.ts';
import { tinyConfig } from './testing/tiny-config.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

/**
 * Runs the real pipeline through Nx on a tiny generated set, with the config file outside the
 * repository and an Nx cache of its own (so the first run computes everything, run after run),
 * and reads from Nx's output which tasks it served from its cache.
 */
let dir: string;
let work: string;
let configFile: string;
let nxCache: string;
const FOLDS = [targets.trainFold(1, 0), targets.trainFold(1, 1)];
const ALL = [targets.preprocess, ...FOLDS, targets.ensemble(1), targets.submit, targets.report];
// The report shows the whole config and reads every artifact: it reruns after any change.
const VOTE = [targets.ensemble(1), targets.submit, targets.report];

function config(over: Partial<ConfigInput> = {}): ConfigInput {
  return tinyConfig(join(dir, 'data'), { name: 'incremental-test', ...over, data: { work, ...over.data } });
}

async function run(cfg: ConfigInput, opts: { env?: NodeJS.ProcessEnv; nxArgs?: string[] } = {}): Promise<{ outcomes: Map<string, 'cached' | 'ran'>; output: string }> {
  await writeFile(configFile, JSON.stringify(cfg));
  const r = await runNx(['run', targets.report, '--outputStyle=stream', ...(opts.nxArgs ?? [])], {
    config: configFile,
    quiet: true,
    env: { FORCE_COLOR: '0', NX_CACHE_DIRECTORY: nxCache, ...opts.env },
  });
  if (r.code !== 0) throw new Error(`nx failed (${r.code}):\n${r.output.slice(-4000)}`);
  return { outcomes: taskOutcomes(r.output), output: r.output };
}

async function ran(cfg: ConfigInput, opts?: Parameters<typeof run>[1]): Promise<string[]> {
  const { outcomes } = await run(cfg, opts);
  return ALL.filter((t) => outcomes.get(t) === 'ran');
}

async function flop(file: string): Promise<void> {
  await writeFile(file, await sharp(file).flop().jpeg({ quality: 90 }).toBuffer());
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facemask-incremental-'));
  nxCache = join(dir, 'nx-cache');
  // Nx caches outputs inside the workspace only, so the work folder lives there.
  work = join(WORKSPACE_ROOT, 'data', `.test-work-${process.pid}`);
  configFile = join(dir, 'experiment.json');
  await generateDataset({ ...DEFAULT_SYNTH_OPTIONS, out: join(dir, 'data'), people: 10, seed: 20261129, width: 96, height: 128, quiet: true });
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

describe('incremental rebuilds through Nx', () => {
  it('reruns exactly the stages downstream of a change', async () => {
    // one fold first, then the second: the first is not trained again
    expect(await ran(config({ train: { folds: [0] } }))).toEqual([targets.preprocess, FOLDS[0], ...VOTE]);
    expect(await ran(config())).toEqual([FOLDS[1], ...VOTE]);
    expect(existsSync(workLayout.submission(work).csv)).toBe(true);

    // unchanged: no work at all; options no other stage of this graph reads, and the report's own: the report alone
    expect(await ran(config())).toEqual([]);
    expect(await ran(config({ name: 'renamed', pseudo: { threshold: 0.5 } }))).toEqual([targets.report]);
    expect(await ran(config({ report: { worst: 2 } }))).toEqual([targets.report]);
    expect(existsSync(workLayout.report(work).index)).toBe(true);

    // an ensemble option: ensemble and submit only
    expect(await ran(config({ ensemble: { method: 'hard' } }))).toEqual(VOTE);

    // a training option: the folds and what follows, not preprocess
    const trainChange = config({ ensemble: { method: 'hard' }, train: { batchSize: 8 } });
    expect(await ran(trainChange)).toEqual([...FOLDS, ...VOTE]);

    // Nx's cache skipped: each fold resumes from its own finished checkpoint instead of retraining
    const again = await run(trainChange, { nxArgs: ['--skip-nx-cache'] });
    for (const k of [0, 1]) expect(again.output).toMatch(new RegExp(`fold ${k}: resuming after epoch 1/1`));

    // one eval photo, then one training photo: everything from preprocess on
    const evalImages = join(dir, 'data', 'eval', 'images');
    await flop(join(evalImages, (await readdir(evalImages)).sort()[0]!));
    expect(await ran(trainChange)).toEqual(ALL);
    const person = join(dir, 'data', 'train', 'images', (await readdir(join(dir, 'data', 'train', 'images'))).sort()[0]!);
    await flop(join(person, (await readdir(person)).find((f) => f.startsWith('normal'))!));
    expect(await ran(trainChange)).toEqual(ALL);
  }, 1_200_000);

  it('trains on the engine TFJS_BACKEND names (pnpm pipeline --backend) over the config backend', async () => {
    const cfg = config({ backend: 'wasm', train: { folds: [0] } });
    await run(cfg);
    const wasm = await readArtifact(runRecordArtifact, workLayout.fold(work, 1, 0).run);
    expect(wasm.backend).toMatch(/^wasm .*requested by the config \(backend\)/);
    expect(await ran(cfg, { env: { TFJS_BACKEND: 'cpu' } })).toEqual([FOLDS[0], ...VOTE]);
    const cpu = await readArtifact(runRecordArtifact, workLayout.fold(work, 1, 0).run);
    expect(cpu.backend).toMatch(/^cpu .*requested by TFJS_BACKEND/);
  }, 1_200_000);
});
