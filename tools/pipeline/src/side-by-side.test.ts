import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targets, workLayout, type ConfigInput } from '@facemask/contracts';
import { taskOutcomes } from './nx.ts';
import { formatRuns, listRuns, readRunConfig } from './runs.ts';
import { runScript } from './testing/run-script.ts';
import { tinyConfig } from './testing/tiny-config.ts';
import { workspaceWithData, type WorkspaceWithData } from './testing/workspace-copy.ts';

/**
 * Experiments side by side, through `pnpm pipeline` and real Nx in a copy of this workspace: two
 * config files without data.work run one after the other each keep their own work folder and
 * report, share one pixel store, are listed by `pnpm runs`, and the first runs again from the cache.
 */
let ws: string;
let dir: string;
let fixture: WorkspaceWithData;
const FOLDS = [targets.trainFold(1, 0), targets.trainFold(1, 1)];
const ALL = [targets.preprocess, ...FOLDS, targets.ensemble(1), targets.submit, targets.report];

function config(over: Partial<ConfigInput> = {}): ConfigInput {
  // no data.work: each config file runs in data/runs/<its name>
  return tinyConfig(join(dir, 'data'), { name: 'side-by-side', augment: { train: [{ type: 'hflip', p: 0.5 }] }, ...over, data: { work: undefined, ...over.data } });
}

/** `pnpm pipeline --config FILE` of the copy (its own code and workspace root); the tasks Nx ran. */
async function pipeline(file: string): Promise<{ ran: string[]; output: string }> {
  const { code, output } = await runScript(ws, 'tools/pipeline/src/cli.ts', ['--config', file]);
  if (code !== 0) throw new Error(`pipeline --config ${file} exited with ${code}:\n${output.slice(-4000)}`);
  const outcomes = taskOutcomes(output);
  return { ran: ALL.filter((t) => outcomes.get(t) === 'ran'), output };
}

beforeAll(async () => {
  fixture = await workspaceWithData('runs', { people: 10, seed: 20261204 });
  ({ ws, dir } = fixture);
}, 300_000);

afterAll(async () => {
  await fixture.remove();
});

describe('runs side by side through real Nx', () => {
  it('keeps both reports, shares the pixel stores, lists both runs and reruns nothing for the first', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    await writeFile(a, JSON.stringify(config()));
    await writeFile(b, JSON.stringify(config({ augment: { train: [{ type: 'hflip', p: 0.6 }] } })));
    const runA = join(ws, 'data', 'runs', 'a');
    const runB = join(ws, 'data', 'runs', 'b');
    const stores = join(ws, 'data', '.cache', 'images');

    const first = await pipeline(a);
    expect(first.ran).toEqual(ALL);
    expect(first.output).toContain(`report: ${workLayout.report(runA).index}`);
    const storesAfterA = (await readdir(stores)).sort();
    // one store per split, beside the runs, none in the run's own folder
    expect(storesAfterA).toHaveLength(2);
    expect(existsSync(join(runA, '.cache', 'images'))).toBe(false);
    expect((await readRunConfig(runA))?.file).toBe(a);

    const second = await pipeline(b);
    // its own preprocess output (another folder), built from the first run's pixels
    expect(second.ran).toEqual(ALL);
    expect(await readFile(workLayout.preprocess(runB).summaryText, 'utf8')).toMatch(/train \d+ reused, eval \d+ reused, pixels in .*data\/\.cache\/images/);
    expect((await readdir(stores)).sort()).toEqual(storesAfterA);
    expect(existsSync(workLayout.report(runA).index)).toBe(true);
    expect(existsSync(workLayout.report(runB).index)).toBe(true);

    const rows = await listRuns(ws);
    expect(rows.map((r) => [r.name, r.state])).toEqual([['a', 'done'], ['b', 'done']]);
    expect(rows.map((r) => r.differences)).toEqual([{ 'augment.train.0.p': 0.5 }, { 'augment.train.0.p': 0.6 }]);
    for (const [r, work] of [[rows[0]!, runA], [rows[1]!, runB]] as const) {
      expect(r.oofMacroF1).toBeGreaterThanOrEqual(0);
      expect(r.oofMacroF1).toBeLessThanOrEqual(1);
      expect(r.evalMacroF1).toBeGreaterThanOrEqual(0);
      expect(r.engine).toMatch(/^wasm/);
      expect(r.seconds).toBeGreaterThan(0);
      expect(r.report).toBe(workLayout.report(work).index);
      expect(r.notes).toEqual([]);
    }
    // the scores the pipeline printed for each run
    expect(first.output).toContain(`out-of-fold macro-F1: ${rows[0]!.oofMacroF1!.toFixed(4)}`);
    expect(second.output).toContain(`eval macro-F1: ${rows[1]!.evalMacroF1!.toFixed(4)}`);
    const table = formatRuns(rows, ws).split('\n');
    expect(table[1]).toMatch(new RegExp(`^a +done +${rows[0]!.oofMacroF1!.toFixed(4)} +${rows[0]!.evalMacroF1!.toFixed(4)} +wasm +.* data/runs/a/report/index\\.html +augment\\.train\\.0\\.p=0\\.5$`));
    expect(table[2]).toMatch(/^b +done .* data\/runs\/b\/report\/index\.html +augment\.train\.0\.p=0\.6$/);

    // back to the first: every task from the cache, its report where it was
    expect((await pipeline(a)).ran).toEqual([]);
    expect((await readdir(stores)).sort()).toEqual(storesAfterA);
  }, 900_000);
});
