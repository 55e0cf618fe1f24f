import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArtifact, readPreprocessSummary, runRecordArtifact, targets, workLayout, type ConfigInput } from '@facemask/contracts';
import { DEFAULT_SYNTH_OPTIONS, generateDataset } from '@facemask/synth';
import { runNx, taskOutcomes } from './nx.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

/**
 * The face crop through the real Nx graph on a tiny generated set, with an Nx cache of its own:
 * detection is cached on the photos and the detectors only, so a crop change reruns the image
 * cache and not detection.
 */
let dir: string;
let work: string;
let configFile: string;
let nxCache: string;
const BOTH = [targets.detect, targets.preprocess];

function config(faceCrop: object, detect: ConfigInput['detect'] = {}): ConfigInput {
  return {
    name: 'face-crop-test',
    seed: 5,
    data: { root: join(dir, 'data'), work },
    preprocess: { folds: 2, centerCrop: 192, height: 32, width: 32, faceCrop },
    detect,
  };
}

/** How preprocess's last run filled the image cache, per split: "decoded" or "from detect" (every photo one way). */
async function cacheFilled(): Promise<string[]> {
  const text = await readFile(workLayout.preprocess(work).summaryText, 'utf8');
  const m = /image cache .*: train (\d+) built( \((\d+) crops from detect's decode\))?, eval (\d+) built( \((\d+) crops from detect's decode\))?/.exec(text);
  if (!m) throw new Error(`no image cache line built in:\n${text}`);
  const how = (count: string, crops: string | undefined) => (crops === undefined ? 'decoded' : crops === count ? 'from detect' : `${crops} of ${count} from detect`);
  return [how(m[1]!, m[3]), how(m[4]!, m[6])];
}

async function ran(cfg: ConfigInput): Promise<string[]> {
  await writeFile(configFile, JSON.stringify(cfg));
  const r = await runNx(['run', targets.preprocess, '--outputStyle=stream'], { config: configFile, quiet: true, env: { FORCE_COLOR: '0', NX_CACHE_DIRECTORY: nxCache } });
  if (r.code !== 0) throw new Error(`nx failed (${r.code}):\n${r.output.slice(-4000)}`);
  const outcomes = taskOutcomes(r.output);
  expect([...outcomes.keys()].sort()).toEqual([...BOTH].sort());
  return BOTH.filter((t) => outcomes.get(t) === 'ran');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facemask-face-crop-'));
  nxCache = join(dir, 'nx-cache');
  work = join(WORKSPACE_ROOT, 'data', `.test-face-crop-${process.pid}`);
  configFile = join(dir, 'experiment.json');
  await generateDataset({ ...DEFAULT_SYNTH_OPTIONS, out: join(dir, 'data'), people: 6, seed: 20261130, width: 192, height: 256, quiet: true });
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

describe('the face crop through Nx', () => {
  it('detects once: a second run is a cache hit, a crop change reruns preprocess alone, a detector change both', async () => {
    expect(await ran(config({ margin: 0.1 }))).toEqual(BOTH);
    const first = await readArtifact(runRecordArtifact, workLayout.detect(work).run);
    const summary = await readPreprocessSummary(work);
    expect(summary.cache.faceCrop?.options.margin).toBe(0.1);
    expect(Object.values(summary.cache.faceCrop!.fallbacks).reduce((a, k) => a + k.photos, 0)).toBe(42);
    // each photo decoded once: detect cut the cache's crops from its own decode, preprocess took them all
    expect(await cacheFilled()).toEqual(['from detect', 'from detect']);
    await expect(stat(workLayout.cropHandoff(work).dir)).rejects.toThrow(/ENOENT/);

    expect(await ran(config({ margin: 0.1 }))).toEqual([]);
    expect(await ran(config({ margin: 0.3 }))).toEqual([targets.preprocess]);
    // detect did not run, so preprocess decoded the photos itself (once each)
    expect(await cacheFilled()).toEqual(['decoded', 'decoded']);
    expect(await ran(config({ margin: 0.3, align: 'eyes' }))).toEqual([targets.preprocess]);
    // detection was not run again: the same run record
    expect(await readArtifact(runRecordArtifact, workLayout.detect(work).run)).toEqual(first);
    expect((await readPreprocessSummary(work)).cache.faceCrop?.options).toMatchObject({ margin: 0.3, align: 'eyes' });

    expect(await ran(config({ margin: 0.3, align: 'eyes' }, { detectors: [{ name: 'blazeface', minScore: 0.3 }] }))).toEqual(BOTH);
    expect(await cacheFilled()).toEqual(['from detect', 'from detect']);
  }, 1_200_000);
});
