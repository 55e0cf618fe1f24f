import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from './run.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

let dir: string;
const work = join(WORKSPACE_ROOT, 'data', `.test-preflight-${process.pid}`);
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'preflight-'));
  await mkdir(join(dir, 'data', 'train'), { recursive: true });
  const rows = [['000001', 'male', 25], ['000002', 'female', 45], ['000003', 'female', 58], ['000004', 'male', 61]];
  await writeFile(join(dir, 'data', 'train', 'train.csv'), ['id,gender,race,age,path', ...rows.map(([id, g, a]) => `${id},${g},Asian,${a},${id}_${g}_Asian_${a}`)].join('\n') + '\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

async function config(preprocess: object): Promise<string> {
  const file = join(dir, 'config.json');
  await writeFile(file, JSON.stringify({ data: { root: 'data', work: relative(WORKSPACE_ROOT, work) }, preprocess: { faceCrop: {}, ...preprocess } }));
  return file;
}

describe('the pipeline before Nx starts', () => {
  it('refuses more folds than train.csv has people, before detect reads a photo or the work folder is touched', async () => {
    await expect(runPipeline(await config({ folds: 5 }), { quiet: true })).rejects.toThrow(
      `${join(dir, 'data', 'train', 'train.csv')} lists 4 people (after preprocess.dropAgeRanges) for preprocess.folds 5: lower preprocess.folds or add people`,
    );
    await expect(runPipeline(await config({ folds: 4, dropAgeRanges: [[58, 59]] }), { quiet: true })).rejects.toThrow(/lists 3 people \(after preprocess\.dropAgeRanges\) for preprocess\.folds 4/);
    expect(existsSync(work)).toBe(false);
  });
});
