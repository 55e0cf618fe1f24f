import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ConfigInput, FOLD_FILES, readEpochLog, workLayout } from '@facemask/contracts';
import { engineName, engineUnderTest } from '@facemask/engine';
import { freshRun, preparedDataset, trainFold } from './test-utils/dataset.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const over: Partial<ConfigInput> = {
  model: { arch: 'resnet18', widthMultiplier: 0.25 },
  optim: { name: 'sgd', lr: 0.01, momentum: 0.9 },
  scheduler: { name: 'step', stepSize: 1, gamma: 0.5 },
  train: { epochs: 4, batchSize: 8 },
  // The child process trains on the same engine as this one.
  backend: engineName(),
};
let base: ConfigInput;

beforeAll(async () => {
  await engineUnderTest();
  ({ base } = await preparedDataset(20, 21, 32));
}, 600_000);

function train(configFile: string) {
  return spawn(process.execPath, ['--import', 'tsx', '--conditions=source', MAIN, '--fold', '0', '--config', configFile, '--quiet'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FACEMASK_CONFIG: '' },
  });
}

describe('kill -9 and restart', () => {
  it('continues from the last complete epoch and ends like an uninterrupted run', async () => {
    const straight = await freshRun(base, over);
    await trainFold(straight, { round: 1, fold: 0, quiet: true, log: () => {} });

    const killed = await freshRun(base, over);
    const configFile = join(killed.data.work, 'config.json');
    await writeFile(configFile, JSON.stringify({ ...base, ...over, data: { ...(base.data as object), work: killed.data.work } }));
    const dir = workLayout.fold(killed.data.work, 1, 0).dir;
    const metrics = join(dir, FOLD_FILES.metrics);
    const checkpoint = join(dir, FOLD_FILES.last, 'state.json');

    // Kill the process hard in the middle of its second epoch, once the first epoch's checkpoint
    // is in place (the epoch log is written just before it).
    const child = train(configFile);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await new Promise<void>((resolveWait, reject) => {
      const timer = setInterval(async () => {
        if (existsSync(checkpoint)) {
          clearInterval(timer);
          setTimeout(() => {
            child.kill('SIGKILL');
            resolveWait();
          }, 300);
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(timer);
        reject(new Error('training ended before it could be killed'));
      });
    });
    await exited;
    expect(existsSync(join(dir, FOLD_FILES.eval))).toBe(false);
    const done = (await readEpochLog(metrics)).length;
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThan(4);

    // Start it again: it resumes and finishes.
    const again = train(configFile);
    let err = '';
    again.stderr.on('data', (c: Buffer) => (err += c.toString()));
    expect(await new Promise((r) => again.on('exit', (code) => r(code)))).toBe(0);
    expect(err).toMatch(/resuming after epoch \d\/4/);

    const a = workLayout.fold(straight.data.work, 1, 0).dir;
    const wa = await readFile(join(a, FOLD_FILES.last, 'model', 'weights.bin'));
    const wb = await readFile(join(dir, FOLD_FILES.last, 'model', 'weights.bin'));
    expect(wb.equals(wa)).toBe(true);
    const strip = (rs: Awaited<ReturnType<typeof readEpochLog>>) => rs.map(({ seconds: _s, imagesPerSecond: _i, ...r }) => r);
    expect(strip(await readEpochLog(metrics))).toEqual(strip(await readEpochLog(join(a, FOLD_FILES.metrics))));
    expect(await readFile(join(dir, FOLD_FILES.eval), 'utf8')).toBe(await readFile(join(a, FOLD_FILES.eval), 'utf8'));
  }, 600_000);
});
