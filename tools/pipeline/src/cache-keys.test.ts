import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targets, type ConfigInput } from '@facemask/contracts';
import { runNx, taskOutcomes } from './nx.ts';
import { tinyConfig } from './testing/tiny-config.ts';
import { editJson, touchSource, workspaceWithData, type WorkspaceWithData } from './testing/workspace-copy.ts';

/**
 * What real Nx reruns after the edits a team makes every day, in a copy of this workspace (the
 * tests edit its sources): switching between two configs, editing code no stage runs, and
 * editing code a stage does run.
 */
let ws: string;
let dir: string;
let fixture: WorkspaceWithData;
const FOLDS = [targets.trainFold(1, 0), targets.trainFold(1, 1)];
const ALL = [targets.preprocess, ...FOLDS, targets.ensemble(1), targets.submit, targets.report];

function config(over: Partial<ConfigInput> = {}): ConfigInput {
  return tinyConfig(join(dir, 'data'), { name: 'cache-keys-test', ...over });
}

let lastOutput = '';

/** Runs the pipeline for `cfg` from config file `name` and returns the tasks Nx ran (not from its cache). */
async function ran(cfg: ConfigInput, name = 'a.json'): Promise<string[]> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(cfg));
  const r = await runNx(['run', targets.report, '--outputStyle=stream'], { config: file, quiet: true, cwd: ws, env: { FORCE_COLOR: '0' } });
  if (r.code !== 0) throw new Error(`nx failed (${r.code}):\n${r.output.slice(-4000)}`);
  lastOutput = r.output;
  const outcomes = taskOutcomes(r.output);
  return ALL.filter((t) => outcomes.get(t) === 'ran');
}

beforeAll(async () => {
  fixture = await workspaceWithData('cache-keys', { people: 10, seed: 20261204 });
  ({ ws, dir } = fixture);
}, 300_000);

afterAll(async () => {
  await fixture.remove();
});

describe('cache keys through real Nx', () => {
  it('switching configs (A, then B from another file, then A) retrains nothing the first run trained', async () => {
    expect(await ran(config())).toEqual(ALL);
    const b = config({ name: 'flip more', augment: { train: [{ type: 'hflip', p: 0.6 }] } });
    expect(await ran(b, 'b.json')).toEqual([...FOLDS, targets.ensemble(1), targets.submit, targets.report]);
    expect(await ran(config())).toEqual([]);
  }, 900_000);

  it('trains no fold after edits to code no stage runs: a tool, test helpers, READMEs, devDependencies', async () => {
    await touchSource(ws, 'tools/synth/src/face-svg.ts');
    await touchSource(ws, 'packages/train/src/test-utils/dataset.ts');
    await touchSource(ws, 'packages/preprocess/src/test-utils/fixture.ts');
    await touchSource(ws, 'packages/train/README.md');
    await touchSource(ws, 'README.md');
    await editJson(ws, 'tools/synth/package.json', (p) => {
      p.devDependencies = { ...(p.devDependencies as object), 'left-pad': '1.3.0' };
    });
    await editJson(ws, 'packages/train/package.json', (p) => {
      p.devDependencies = { ...(p.devDependencies as object), 'left-pad': '1.3.0' };
    });
    expect(await ran(config())).toEqual([]);
  }, 900_000);

  it("reruns preprocess, and trains no fold, when only preprocess's summary wording changes", async () => {
    await touchSource(ws, 'packages/preprocess/src/summary-text.ts');
    expect(await ran(config())).toEqual([targets.preprocess]);
  }, 900_000);

  it('reruns the ensemble, no fold, after an edit to the ensemble (and what follows only if its outputs change)', async () => {
    await touchSource(ws, 'packages/ensemble/src/combine.ts');
    // a comment: the vote comes out the same, so Nx finds submit's inputs unchanged
    expect(await ran(config())).toEqual([targets.ensemble(1)]);
  }, 900_000);

  it('retrains every fold, from scratch, after an edit to a loss or an optimiser', async () => {
    for (const file of ['packages/losses/src/focal.ts', 'packages/train/src/optim/sgd.ts']) {
      await touchSource(ws, file);
      // the folds run again (their checkpoints record the task that made them, so the vote
      // reruns too); preprocess, upstream of the edit, does not
      const tasks = await ran(config());
      expect(tasks.filter((t) => !FOLDS.includes(t) && t !== targets.ensemble(1) && t !== targets.submit && t !== targets.report)).toEqual([]);
      expect(tasks).toEqual(expect.arrayContaining(FOLDS));
      // not resumed from the finished checkpoint the old code wrote
      expect(lastOutput).not.toMatch(/resuming after epoch/);
      expect(lastOutput).toMatch(/fold 0 epoch 1\/1/);
    }
  }, 900_000);
});
