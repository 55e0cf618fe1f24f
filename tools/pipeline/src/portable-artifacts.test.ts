import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_RECORD_FILE, type ConfigInput } from '@facemask/contracts';
import { DEFAULT_SYNTH_OPTIONS, generateDataset } from '@facemask/synth';
import { WORKSPACE_ROOT } from './workspace.ts';
import { runScript } from './testing/run-script.ts';

/**
 * Every JSON a stage writes but its run record is part of later tasks' Nx keys and is restored
 * as-is on other machines: the same photos at two paths (two machines of a team), detect and
 * preprocess each into a work folder of their own, must give byte-identical JSON.
 */
let dir: string;

function config(side: 'a' | 'b', faceCrop: boolean): ConfigInput {
  return {
    seed: 3,
    data: { root: join(dir, side, 'data'), work: join(dir, side, faceCrop ? 'work-crop' : 'work') },
    preprocess: { folds: 2, centerCrop: 96, height: 24, width: 24, faceCrop: faceCrop ? {} : null },
    backend: 'wasm',
  };
}

/** Runs a stage's CLI as Nx would (from the workspace root, through tsx), with a config file. */
async function stage(script: string, cfg: ConfigInput, name: string, extra: string[] = []): Promise<void> {
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(cfg));
  const { code, output } = await runScript(WORKSPACE_ROOT, script, ['--config', file, '--quiet', ...extra]);
  if (code !== 0) throw new Error(`${script} failed (${code}):\n${output.slice(-3000)}`);
}

/** The JSON files of a work folder's stage outputs (not the pixel stores' folder), run records aside. */
async function outputJson(work: string): Promise<Map<string, string>> {
  const files = (await readdir(work, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => relative(work, join(e.parentPath, e.name)))
    .filter((p) => p.endsWith('.json') && !p.startsWith('.cache/') && !p.endsWith(`/${RUN_RECORD_FILE}`));
  return new Map(await Promise.all(files.map(async (p) => [p, await readFile(join(work, p), 'utf8')] as const)));
}

async function expectSameJson(faceCrop: boolean): Promise<void> {
  const [a, b] = [await outputJson(config('a', faceCrop).data.work!), await outputJson(config('b', faceCrop).data.work!)];
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  expect(a.size).toBeGreaterThanOrEqual(faceCrop ? 7 : 6);
  for (const [file, text] of a) {
    expect(b.get(file), file).toBe(text);
    // no path of either machine's data root or work folder in it
    expect(text, file).not.toContain(dir);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facemask-portable-'));
  await mkdir(join(dir, 'b'), { recursive: true });
  await generateDataset({ ...DEFAULT_SYNTH_OPTIONS, out: join(dir, 'a', 'data'), people: 4, seed: 20261206, width: 96, height: 128, quiet: true });
  await cp(join(dir, 'a', 'data'), join(dir, 'b', 'data'), { recursive: true });
}, 300_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('artifacts of the same photos at two paths', () => {
  it('preprocess writes byte-identical JSON (samples, eval list, summary, fingerprint, image cache indexes)', async () => {
    for (const side of ['a', 'b'] as const) await stage('packages/preprocess/src/main.ts', config(side, false), `plain-${side}`);
    await expectSameJson(false);
  }, 300_000);

  it('detect and a face-cropped preprocess write byte-identical JSON too', async () => {
    for (const side of ['a', 'b'] as const) {
      await stage('packages/detect/src/main.ts', config(side, true), `crop-${side}`, ['--workers', '1']);
      await stage('packages/preprocess/src/main.ts', config(side, true), `crop-${side}`);
    }
    await expectSameJson(true);
    const detections = await readFile(join(config('a', true).data.work!, 'detect', 'detections.json'), 'utf8');
    expect(detections).toContain('"path":"train/images/');
  }, 600_000);
});
