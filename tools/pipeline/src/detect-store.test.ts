import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targets, workLayout, type ConfigInput } from '@facemask/contracts';
import { runNx, taskOutcomes } from './nx.ts';
import { tinyConfig } from './testing/tiny-config.ts';
import { workspaceWithData, type WorkspaceWithData } from './testing/workspace-copy.ts';

/**
 * Face detection shared by runs side by side, through real Nx in a copy of this workspace: a
 * second config with its own work folder and the same photos and detectors links the first run's
 * detections in from data/.cache/detections without running a detector; a third with another
 * minimum score detects.
 */
let ws: string;
let dir: string;
let fixture: WorkspaceWithData;

function config(detect: ConfigInput['detect'] = {}): ConfigInput {
  // no data.work: each config file runs in data/runs/<its name>
  return tinyConfig(join(dir, 'data'), { name: 'detect-store', data: { work: undefined }, preprocess: { faceCrop: {} }, detect });
}

/** `nx run detect:run` of the copy for the config `name` (its work folder: data/runs/<name>); its output. */
async function detect(name: string, cfg: ConfigInput): Promise<string> {
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(cfg));
  const r = await runNx(['run', targets.detect, '--outputStyle=stream'], { config: file, cwd: ws, quiet: true, env: { FORCE_COLOR: '0' } });
  if (r.code !== 0) throw new Error(`nx run ${targets.detect} --config ${file} exited with ${r.code}:\n${r.output.slice(-4000)}`);
  // Nx ran the task each time: the work folder is in its key, the store is what spares the detector
  expect(taskOutcomes(r.output).get(targets.detect)).toBe('ran');
  return r.output;
}

const run = (name: string) => join(ws, 'data', 'runs', name);
const inode = async (name: string) => (await stat(workLayout.detect(run(name)).detections)).ino;
const summary = (name: string) => readFile(workLayout.detect(run(name)).summaryText, 'utf8');

beforeAll(async () => {
  fixture = await workspaceWithData('detect-store', { people: 2, seed: 20261204 });
  ({ ws, dir } = fixture);
}, 300_000);

afterAll(async () => {
  await fixture.remove();
});

describe('detections shared by runs side by side through real Nx', () => {
  it('detects once for two configs with the same photos and detectors, and again for another min score', async () => {
    const stores = join(ws, 'data', '.cache', 'detections');

    const first = await detect('a', config());
    // the detector ran: its engine said which backend it loaded
    expect(first).toMatch(/backend: wasm/);
    expect(await summary('a')).toMatch(/on wasm, \d+ workers?: \d+ photos .*\n {2}stored for other runs in data\/\.cache\/detections\/[0-9a-f]{64}\n/);
    const [key] = await readdir(stores);

    const second = await detect('b', config());
    expect(second).not.toMatch(/backend: /);
    expect(await summary('b')).toMatch(new RegExp(`on wasm, no detector ran: \\d+ photos .*\\n {2}from the shared detection store data/\\.cache/detections/${key}\\n`));
    // one copy on disk: both runs' detections are the store's file
    expect(await inode('b')).toBe(await inode('a'));
    expect((await stat(join(stores, key!, 'detections.json'))).ino).toBe(await inode('a'));
    expect(await readdir(stores)).toEqual([key]);

    const third = await detect('c', config({ detectors: [{ name: 'blazeface', minScore: 0.3 }] }));
    expect(third).toMatch(/backend: wasm/);
    expect(await summary('c')).toMatch(/\n {2}stored for other runs in /);
    expect(await inode('c')).not.toBe(await inode('a'));
    expect(await readdir(stores)).toHaveLength(2);
  }, 600_000);
});
