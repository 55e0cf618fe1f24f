import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readStageRuns, stageRunPath, writeStageRun } from './stage-run.ts';

const dirs: string[] = [];
async function tempWork(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'stage-runs-'));
  dirs.push(d);
  return d;
}
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('stage run records', () => {
  it('reads none when no stage wrote one', async () => {
    const work = await tempWork();
    expect(await readStageRuns(work)).toEqual({ records: [], problems: [] });
  });

  it('round-trips records in start order and reports a bad one without failing', async () => {
    const work = await tempWork();
    const later = { stage: 'train', target: 'train:round1-fold-0', seconds: 61.5, backend: 'backend: WebAssembly (SIMD)', startedAt: '2026-01-02T10:01:00.000Z' };
    const first = { stage: 'preprocess', target: 'preprocess:run', seconds: 3, backend: null, startedAt: '2026-01-02T10:00:00.000Z' };
    expect(await writeStageRun(work, later)).toBe(join(work, 'stage-runs', 'train_round1-fold-0.json'));
    await writeStageRun(work, first);
    expect(stageRunPath(work, 'preprocess:run')).toBe(join(work, 'stage-runs', 'preprocess_run.json'));
    await writeFile(join(work, 'stage-runs', 'broken.json'), '{"kind":"pipeline/stage-run","version":1,"data":{"stage":"x"}}');
    const runs = await readStageRuns(work);
    expect(runs.records).toEqual([first, later]);
    expect(runs.problems).toHaveLength(1);
    expect(runs.problems[0]).toMatch(/broken\.json \(pipeline\/stage-run\) does not match its schema/);
  });

  it('refuses to write a record that breaks the schema', async () => {
    const work = await tempWork();
    await mkdir(join(work, 'stage-runs'));
    await expect(writeStageRun(work, { stage: 'x', target: 'x:run', seconds: -1, backend: null, startedAt: 'yesterday' })).rejects.toThrow(/refusing to write/);
  });
});
