import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type PipelineConfig } from '@facemask/contracts';
import { workFolderFiles } from '@facemask/contracts/work-folder';
import { configDifferences, flattenConfig, formatRuns, formatTaskTime, listRuns, readRunConfig, writeRunConfig, type RunRow } from './runs.ts';

/**
 * `pnpm runs` apart from real runs (side-by-side.test.ts lists two): the run config each run
 * writes, what counts as a difference, the table, and folders without scores or a config.
 */
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'facemask-runs-unit-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function config(work: string, over: Record<string, unknown> = {}): PipelineConfig {
  const c = parseConfig({ data: { root: '/d' }, ...over });
  c.data.work = work;
  return c;
}

describe('flattenConfig and configDifferences', () => {
  it('walks objects and arrays of objects, keeps arrays of plain values whole', () => {
    expect(flattenConfig({ a: { b: 1, c: [1, 2] }, t: [{ type: 'hflip', p: 0.5 }], e: {}, n: null })).toEqual({
      'a.b': 1,
      'a.c': [1, 2],
      't.0.type': 'hflip',
      't.0.p': 0.5,
      e: {},
      n: null,
    });
  });

  it('gives each config the keys whose values are not the same in all, data.work never', () => {
    const a = config('/w/a');
    const b = config('/w/b', { optim: { lr: 0.01 }, augment: { train: [{ type: 'hflip', p: 0.5 }, { type: 'gaussianNoise', std: 0.05 }] } });
    const c = config('/w/c', { optim: { lr: 0.01 } });
    const [da, db, dc] = configDifferences([a, b, c]);
    expect(Object.keys(da!).sort()).toEqual(['augment.train.1.p', 'augment.train.1.std', 'augment.train.1.type', 'optim.lr']);
    expect(da).toMatchObject({ 'optim.lr': 0.0001, 'augment.train.1.type': undefined });
    expect(db).toMatchObject({ 'optim.lr': 0.01, 'augment.train.1.type': 'gaussianNoise', 'augment.train.1.std': 0.05, 'augment.train.1.p': 0.5 });
    expect(dc!['optim.lr']).toBe(0.01);
    // one run, or runs that agree: nothing differs
    expect(configDifferences([a])).toEqual([{}]);
    expect(configDifferences([a, config('/w/other')])).toEqual([{}, {}]);
  });
});

describe('formatTaskTime', () => {
  it('seconds below a minute, then minutes and seconds, then hours and minutes', () => {
    expect(formatTaskTime(59.6)).toBe('59.6 s');
    expect(formatTaskTime(59.96)).toBe('1 min 0 s');
    expect(formatTaskTime(359.6)).toBe('6 min 0 s');
    expect(formatTaskTime(1038)).toBe('17 min 18 s');
    expect(formatTaskTime(3725)).toBe('1 h 2 min');
  });
});

describe('writeRunConfig', () => {
  it('writes the resolved config and its file into the work folder, and reads it back', async () => {
    const ws = join(root, 'ws1');
    const work = join(ws, 'data', 'runs', 'exp');
    const file = join(root, 'cfgs', 'exp.json');
    const started = await writeRunConfig(config(work), file, ws);
    expect(started.path).toBe(workFolderFiles(work).config);
    const back = await readRunConfig(work);
    expect(back).toMatchObject({ kind: 'facemask/run-config', version: 1, file, finishedAt: null, config: { data: { work } } });
    expect(await readFile(started.path, 'utf8')).toMatch(/\n$/);
    await started.finished();
    const done = await readRunConfig(work);
    expect(done?.startedAt).toBe(back?.startedAt);
    expect(Date.parse(done!.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(back!.startedAt));
    // the same file again: rewritten
    await writeRunConfig(config(work, { seed: 9 }), file, ws);
    expect((await readRunConfig(work))?.config.seed).toBe(9);
  });

  it('refuses a second config file of the same name without data.work, naming both and the fixes', async () => {
    const ws = join(root, 'ws2');
    const work = join(ws, 'data', 'runs', 'config');
    const one = join(root, 'x', 'config.json');
    const two = join(root, 'y', 'config.json');
    await writeRunConfig(config(work), one, ws);
    await expect(writeRunConfig(config(work), two, ws)).rejects.toThrow(
      `data/runs/config holds the run of ${one} (its ${workFolderFiles(work).config}), and ${two} has the same file name and no data.work: rename ${two} or set its data.work`,
    );
    expect((await readRunConfig(work))?.file).toBe(one);
    // an explicit data.work shared by two configs is the user's choice (as before runs had folders)
    const shared = join(ws, 'data', 'shared');
    await writeRunConfig(config(shared), one, ws);
    await writeRunConfig(config(shared), two, ws);
    expect((await readRunConfig(shared))?.file).toBe(two);
  });

  it('a config.json the pipeline did not write is an error naming it and the fix', async () => {
    const work = join(root, 'ws3', 'data', 'runs', 'bad');
    await mkdir(work, { recursive: true });
    await writeFile(workFolderFiles(work).config, '{"data": {}}');
    await expect(readRunConfig(work)).rejects.toThrow(`${workFolderFiles(work).config} is not a run config the pipeline wrote: rerun the pipeline for this run to write it again`);
    expect(await readRunConfig(join(root, 'ws3', 'none'))).toBeNull();
  });
});

describe('listRuns and formatRuns', () => {
  it('lists each folder under data/runs and data/work, saying what a run without scores or config lacks', async () => {
    const ws = join(root, 'ws4');
    expect(await listRuns(ws)).toEqual([]);
    expect(formatRuns([], ws)).toBe('no runs yet: `pnpm pipeline --config FILE` runs one into data/runs/<file name>');
    await writeRunConfig(config(join(ws, 'data', 'runs', 'b')), join(root, 'b.json'), ws);
    await writeRunConfig(config(join(ws, 'data', 'runs', 'a'), { seed: 3 }), join(root, 'a.json'), ws);
    await mkdir(join(ws, 'data', 'work', 'preprocess'), { recursive: true });
    const rows = await listRuns(ws);
    expect(rows.map((r) => [r.name, r.state, r.differences, r.oofMacroF1, r.evalMacroF1, r.engine, r.seconds, r.report])).toEqual([
      ['a', 'stopped', { seed: 3 }, null, null, null, null, null],
      ['b', 'stopped', { seed: 42 }, null, null, null, null, null],
      ['data/work', null, {}, null, null, null, null, null],
    ]);
    expect(rows[0]!.notes).toEqual([
      `its last run (started ${(await readRunConfig(join(ws, 'data', 'runs', 'a')))!.startedAt}) did not finish: the scores shown are from an earlier run of this folder, if any`,
      `no ensemble report yet (${join(ws, 'data', 'runs', 'a', 'ensemble', 'round1', 'report.json')})`,
    ]);
    expect(rows[2]!.notes[0]).toBe(`no ${join(ws, 'data', 'work', 'config.json')} (a run from before pnpm runs): its config is not compared`);
    const table = formatRuns(rows, ws).split('\n');
    expect(table.slice(0, 4)).toEqual([
      'run        state    out-of-fold F1  eval F1  engine  task time  report  differences',
      'a          stopped  -               -        -       -          -       seed=3',
      'b          stopped  -               -        -       -          -       seed=42',
      'data/work  -        -               -        -       -          -       (no config.json)',
    ]);
    expect(table).toContain(`data/work: no ${join(ws, 'data', 'work', 'config.json')} (a run from before pnpm runs): its config is not compared`);
  });

  it('says which runs finished, which one runs now (a live lock holder) and which stopped', async () => {
    const ws = join(root, 'ws5');
    const work = (n: string) => join(ws, 'data', 'runs', n);
    await (await writeRunConfig(config(work('done')), join(root, 'done.json'), ws)).finished();
    await writeRunConfig(config(work('live')), join(root, 'live.json'), ws);
    await writeFile(workFolderFiles(work('live')).lock, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: 'now', command: 'test' }));
    await writeRunConfig(config(work('killed')), join(root, 'killed.json'), ws);
    // a lock its holder left behind when killed: pid 2^22 + 1 is above Linux's pid_max
    await writeFile(workFolderFiles(work('killed')).lock, JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), startedAt: 'then', command: 'test' }));
    const rows = await listRuns(ws);
    expect(rows.map((r) => [r.name, r.state])).toEqual([['done', 'done'], ['killed', 'stopped'], ['live', 'running']]);
    expect(rows[2]!.notes).toEqual([`running now (pid ${process.pid} on ${hostname()}): the scores shown are from an earlier run of this folder, if any`]);
  });

  it('shows scores to four places, the engine by name, the time and the report relative to the workspace', () => {
    const row: RunRow = {
      name: 'exp',
      state: 'done',
      work: '/ws/data/runs/exp',
      configFile: '/c/exp.json',
      differences: { 'optim.name': 'sgd', 'augment.train.0.p': 0.5 },
      oofMacroF1: 0.91164,
      evalMacroF1: 0.9,
      engine: 'wasm (simd, 1 thread; tfjs 4.22.0)',
      seconds: 1038.2,
      report: '/ws/data/runs/exp/report/index.html',
      notes: [],
    };
    expect(formatRuns([row], '/ws').split('\n')[1]).toBe('exp  done   0.9116          0.9000   wasm    17 min 18 s  data/runs/exp/report/index.html  optim.name=sgd augment.train.0.p=0.5');
  });
});
