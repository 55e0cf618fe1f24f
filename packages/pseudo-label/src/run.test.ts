import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensembleArtifacts, parseConfig, pseudoLabelsArtifact, readArtifact, shownPath, stageParams, workLayout, writeArtifact, WORKSPACE_ROOT } from '@facemask/contracts';
import { peaked, preds } from '@facemask/contracts/testing';
import { main } from './main.ts';
import { runPseudoLabel } from './run.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pseudo-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** runPseudoLabel on the stage's slice of a config, as its CLI does. */
const pseudoLabel = (pseudo: object) => runPseudoLabel(stageParams(parseConfig({ data: { root: join(dir, 'data'), work: join(dir, 'work') }, pseudo }), 'pseudo-label'), { work: join(dir, 'work') });

async function writeEnsembleEval() {
  const ev = preds('ensemble/round1', 'eval', ['a.jpg', 'b.jpg', 'c.jpg'], [peaked(2, 0.97), peaked(9, 0.6), peaked(14, 0.93)]);
  await writeArtifact(ensembleArtifacts(1).eval, workLayout.ensemble(join(dir, 'work'), 1).eval, ev);
}

describe('runPseudoLabel', () => {
  it('writes the confident round-1 eval predictions as samples', async () => {
    await writeEnsembleEval();
    const r = await pseudoLabel({ enabled: true, threshold: 0.9 });
    expect(r.path).toBe(join(dir, 'work', 'pseudo-label', 'samples.json'));
    const back = await readArtifact(pseudoLabelsArtifact, r.path);
    expect(back.samples).toEqual([
      { id: 'a.jpg', cls: 2, confidence: 0.97 },
      { id: 'c.jpg', cls: 14, confidence: 0.93 },
    ]);
    expect(back).toMatchObject({ enabled: true, threshold: 0.9, considered: 3, source: 'ensemble/round1' });
    expect(r.summary).toMatch(/kept 2 of 3/);
  });

  it('writes an empty disabled set without needing the ensemble', async () => {
    const r = await pseudoLabel({ enabled: false });
    const back = await readArtifact(pseudoLabelsArtifact, r.path);
    expect(back).toMatchObject({ enabled: false, samples: [], source: null });
  });

  it('names the Nx target when the ensemble output is missing', async () => {
    await expect(pseudoLabel({ enabled: true })).rejects.toThrow(/ensemble\/eval artifact not found .*nx run ensemble:round1/);
  });

  it('runs from the command line', async () => {
    await writeEnsembleEval();
    const cfgPath = join(dir, 'config.json');
    await writeFile(cfgPath, JSON.stringify({ data: { root: 'data', work: join(dir, 'work') }, pseudo: { enabled: true, threshold: 0.95 } }));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await main(['--config', cfgPath]);
      // The summary, then where it wrote (shown as contracts' shownPath shows a path outside the workspace).
      expect(log.mock.calls.at(-2)?.[0]).toMatch(/^kept 1 of 3 eval photos from ensemble\/round1 \(top probability >= 0.95\)/);
      expect(log.mock.calls.at(-1)?.[0]).toBe(`  -> ${shownPath(join(dir, 'work', 'pseudo-label', 'samples.json'), WORKSPACE_ROOT)}`);
    } finally {
      log.mockRestore();
    }
    const text = await readFile(join(dir, 'work', 'pseudo-label', 'samples.json'), 'utf8');
    expect(JSON.parse(text).data.samples).toEqual([{ id: 'a.jpg', cls: 2, confidence: 0.97 }]);
  });
});
