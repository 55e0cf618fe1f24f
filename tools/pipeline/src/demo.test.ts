import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SYNTH_OPTIONS, MARKER_FILE, validateLayout } from '@facemask/synth';
import { DEMO_SYNTH_OPTIONS, ensureSampleSet } from './demo.ts';

let dir: string;
const small = { ...DEFAULT_SYNTH_OPTIONS, people: 4, seed: 3, width: 48, height: 64, quiet: true };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facemask-demo-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('ensureSampleSet', () => {
  it('makes the demo\'s sample set with clear cues', () => {
    expect(DEMO_SYNTH_OPTIONS.cues).toBe('clear');
    expect(DEFAULT_SYNTH_OPTIONS.cues).toBe('subtle');
  });

  it('generates a missing set, keeps a matching one and replaces a stale or broken one', async () => {
    const root = join(dir, 'sample');
    expect(await ensureSampleSet(root, small)).toBe('generated');
    const layout = await validateLayout(root);
    expect(layout.train.people + layout.eval.images / 7).toBe(4);
    expect(await ensureSampleSet(root, small)).toBe('kept');
    // Other options (an older generator or other cues) mean other photos.
    expect(await ensureSampleSet(root, { ...small, cues: 'clear' })).toBe('generated');
    expect(await ensureSampleSet(root, { ...small, cues: 'clear' })).toBe('kept');
    await writeFile(join(root, MARKER_FILE), JSON.stringify({ generator: '@facemask/synth', version: 1, ...small, cues: 'clear' }));
    expect(await ensureSampleSet(root, { ...small, cues: 'clear' })).toBe('generated');
    // A set missing its eval list is incomplete.
    await rm(join(root, 'eval', 'info.csv'));
    expect(await ensureSampleSet(root, { ...small, cues: 'clear' })).toBe('generated');
  }, 120_000);
});
