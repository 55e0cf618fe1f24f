import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAULT_AT_ENV, FAULT_TRACE_ENV, type ConfigInput, FOLD_FILES, readEpochLog, workLayout, type PipelineConfig } from '@facemask/contracts';
import { engineName, engineUnderTest } from '@facemask/engine';
import { freshRun, preparedDataset } from './test-utils/dataset.ts';

/**
 * kill -9 of a fine-tuning fold (augmented image batches, BatchNorm) at exact points, through the
 * fault hook (FACEMASK_FAULT_AT): in the middle of an epoch, and between the two renames of a
 * checkpoint swap (last/ moved aside, the new one not yet in place). Started again, the fold ends
 * with the weights, metrics and predictions of an uninterrupted run, and no temporary is left.
 * The pipeline-wide schedule is tools/pipeline/src/faults.test.ts.
 */
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const over: Partial<ConfigInput> = {
  model: { arch: 'resnet18', widthMultiplier: 0.25 },
  optim: { name: 'sgd', lr: 0.01, momentum: 0.9 },
  scheduler: { name: 'step', stepSize: 1, gamma: 0.5 },
  train: { epochs: 3, batchSize: 8 },
  // The child process trains on the same engine as this one.
  backend: engineName(),
};
let base: ConfigInput;
let straight: PipelineConfig;
/** The fault sites the uninterrupted run passed, in order, with what each was writing. */
let trace: { site: string; detail?: string }[];

function train(cfg: PipelineConfig, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', MAIN, '--fold', '0', '--config', join(cfg.data.work, 'config.json'), '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, FACEMASK_CONFIG: '', ...env },
  });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((r) => child.on('close', (code, signal) => r({ code, signal, err })));
}

async function run(): Promise<PipelineConfig> {
  const cfg = await freshRun(base, over);
  await writeFile(join(cfg.data.work, 'config.json'), JSON.stringify({ ...base, ...over, data: { ...(base.data as object), work: cfg.data.work } }));
  return cfg;
}

/** `FACEMASK_FAULT_AT` for the k-th (1-based) pass of the trace matching `match`. */
function faultAt(match: (p: { site: string; detail?: string }) => boolean, k: number): string {
  const i = trace.map((p, j) => (match(p) ? j : -1)).filter((j) => j >= 0)[k - 1];
  if (i === undefined) throw new Error('the uninterrupted run never passed that point');
  const site = trace[i]!.site;
  return `${site}:${trace.slice(0, i + 1).filter((p) => p.site === site).length}`;
}

beforeAll(async () => {
  await engineUnderTest();
  ({ base } = await preparedDataset(20, 21, 32));
  straight = await run();
  const file = join(straight.data.work, 'trace.txt');
  expect(await train(straight, { [FAULT_TRACE_ENV]: file })).toMatchObject({ code: 0 });
  trace = (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => {
    const [site, detail] = l.split('\t');
    return { site: site!, ...(detail ? { detail } : {}) };
  });
}, 600_000);

async function killedAndResumed(at: string): Promise<string> {
  const cfg = await run();
  const killed = await train(cfg, { [FAULT_AT_ENV]: at });
  expect(killed.signal, killed.err).toBe('SIGKILL');
  const dir = workLayout.fold(cfg.data.work, 1, 0).dir;
  await expect(readFile(join(dir, FOLD_FILES.eval))).rejects.toThrow(/ENOENT/);

  const again = await train(cfg);
  expect(again.code, again.err).toBe(0);
  const a = workLayout.fold(straight.data.work, 1, 0).dir;
  for (const f of [join(FOLD_FILES.last, 'model', 'weights.bin'), join(FOLD_FILES.best, 'weights.bin'), join(FOLD_FILES.last, 'optimizer.safetensors')]) {
    expect((await readFile(join(dir, f))).equals(await readFile(join(a, f))), f).toBe(true);
  }
  const strip = (rs: Awaited<ReturnType<typeof readEpochLog>>) => rs.map(({ seconds: _s, imagesPerSecond: _i, ...r }) => r);
  expect(strip(await readEpochLog(join(dir, FOLD_FILES.metrics)))).toEqual(strip(await readEpochLog(join(a, FOLD_FILES.metrics))));
  expect(await readFile(join(dir, FOLD_FILES.eval), 'utf8')).toBe(await readFile(join(a, FOLD_FILES.eval), 'utf8'));
  const left = (await readdir(cfg.data.work, { recursive: true })).filter((p) => /\.\d+\.[0-9a-f]{8}\.(tmp|old)$/.test(p));
  expect(left).toEqual([]);
  return again.err;
}

describe('kill -9 and restart', () => {
  it('mid-epoch (the third batch of epoch 2): continues from epoch 1 and ends like an uninterrupted run', async () => {
    const batches = trace.findIndex((p) => p.site === 'dir-swap' && p.detail === FOLD_FILES.last);
    const perEpoch = trace.slice(0, batches).filter((p) => p.site === 'train-batch').length;
    const err = await killedAndResumed(faultAt((p) => p.site === 'train-batch', perEpoch + 3));
    expect(err).toMatch(/fold 0: resuming after epoch 1\/3/);
  }, 600_000);

  it("during epoch 2's checkpoint swap (last/ moved aside): finishes the swap and continues from epoch 2", async () => {
    const err = await killedAndResumed(faultAt((p) => p.site === 'dir-swap' && p.detail === FOLD_FILES.last, 2));
    expect(err).toMatch(/fold 0: resuming after epoch 2\/3/);
  }, 600_000);
});
