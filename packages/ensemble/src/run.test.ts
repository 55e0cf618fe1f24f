import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig, readArtifact, writeArtifact } from '@facemask/core';
import { predictionsArtifact, type Predictions } from '@facemask/train/predictions';
import { ensembleArtifacts } from './artifacts.ts';
import { predictedClasses } from './ids.ts';
import { main } from './main.ts';
import { findFoldDirs, runEnsemble } from './run.ts';
import { peaked, preds } from './test-utils/predictions.ts';

let dir: string;
const evalIds = ['e3.jpg', 'e1.jpg', 'e2.jpg'];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ensemble-run-'));
  await mkdir(join(dir, 'data', 'eval'), { recursive: true });
  await writeFile(join(dir, 'data', 'eval', 'info.csv'), ['ImageID,ans', ...evalIds.map((id) => `${id},0`)].join('\n') + '\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const config = (extra: object = {}) => parseConfig({ data: { root: join(dir, 'data'), work: join(dir, 'work') }, ...extra });
const foldDir = (fold: number, round = 1) => join(dir, 'work', 'train', `round${round}`, `fold-${fold}`);

/** Fold k validates person pk; on eval, folds 0 and 1 say class 3 for e1, fold 2 says class 9 confidently. */
async function writeFold(fold: number, opts: { round?: number; evalIds?: string[]; oofIds?: string[]; oofSplit?: 'oof' | 'eval' } = {}) {
  const ids = opts.evalIds ?? ['e1.jpg', 'e2.jpg', 'e3.jpg'];
  const e1 = fold === 2 ? peaked(9, 0.99) : peaked(3, 0.45);
  const rows = ids.map((id) => (id === 'e1.jpg' ? e1 : id === 'e2.jpg' ? peaked(5, 0.5 + 0.1 * fold) : peaked(17, 0.9)));
  const ev = preds(`round1/fold-${fold}`, 'eval', ids, rows);
  const oofIds = opts.oofIds ?? [`p${fold}/mask1.jpg`, `p${fold}/normal.jpg`];
  const oof: Predictions = preds(`round1/fold-${fold}`, opts.oofSplit ?? 'oof', oofIds, oofIds.map(() => peaked(fold, 0.8)), oofIds.map((_, i) => (i === 0 ? fold : 12)));
  await writeArtifact(predictionsArtifact, join(foldDir(fold, opts.round), 'predictions-eval.json'), ev);
  await writeArtifact(predictionsArtifact, join(foldDir(fold, opts.round), 'predictions-oof.json'), oof);
}

describe('runEnsemble', () => {
  it('combines every fold, scores the out-of-fold set and writes the round folder', async () => {
    for (const k of [0, 1, 2]) await writeFold(k);
    const r = await runEnsemble(config(), 1);
    expect(r.paths.dir).toBe(join(dir, 'work', 'ensemble', 'round1'));
    expect((await readdir(r.paths.dir)).sort()).toEqual(['eval.json', 'oof.json', 'report.json', 'report.txt']);
    expect((await readdir(join(dir, 'work', 'ensemble'))).sort()).toEqual(['round1']);

    const specs = ensembleArtifacts(1);
    const ev = await readArtifact(specs.eval, r.paths.eval);
    expect(ev.ids).toEqual(evalIds);
    expect(ev.source).toBe('ensemble/round1');
    // soft: e1 is class 3 at (0.45 + 0.45 + 0.01/17) / 3 ~ 0.300 against class 9 at (0.99 + 2 * 0.55/17) / 3 ~ 0.352
    expect(predictedClasses(ev)).toEqual([17, 9, 5]);

    const oof = await readArtifact(specs.oof, r.paths.oof);
    expect(oof.ids).toHaveLength(6);
    const report = await readArtifact(specs.report, r.paths.report);
    expect(report.members.map((m) => m.fold)).toEqual([0, 1, 2]);
    expect(report.oof.accuracy).toBe(0.5);
    expect(report.method).toBe('soft');
    expect(await readFile(r.paths.summary, 'utf8')).toBe(r.summary + '\n');
    expect(r.summary).toMatch(/^ensemble round 1: soft voting over 3 folds \(fold-0, fold-1, fold-2\)/);
  });

  it('uses the configured method and weights', async () => {
    for (const k of [0, 1, 2]) await writeFold(k);
    const hard = await runEnsemble(config({ ensemble: { method: 'hard' } }), 1);
    // two votes for class 3 beat one confident vote for class 9
    expect(predictedClasses(hard.eval)[1]).toBe(3);
    expect(hard.eval.probs[18 + 3]).toBeCloseTo(2 / 3, 12);
    const weighted = await runEnsemble(config({ ensemble: { method: 'hard', weights: [1, 1, 3] } }), 1);
    expect(predictedClasses(weighted.eval)[1]).toBe(9);
    expect(weighted.report.weights).toEqual([1, 1, 3]);
  });

  it('uses only the folds config.train.folds lists', async () => {
    for (const k of [0, 1, 2]) await writeFold(k);
    const r = await runEnsemble(config({ train: { folds: [2, 0] } }), 1);
    expect(r.report.members.map((m) => m.fold)).toEqual([0, 2]);
    expect(r.oof.ids).toHaveLength(4);
    await expect(runEnsemble(config({ train: { folds: [0, 4] } }), 1)).rejects.toThrow(/lists fold 4 but .*has no fold-4 folder: run `nx run train:round1` first/);
  });

  it('reads round 2 from its own folder and names train:round2 when it is missing', async () => {
    await expect(runEnsemble(config(), 2)).rejects.toThrow(/no fold-<k> folders under .*round2: run `nx run train:round2` first/);
    await writeFold(0, { round: 2 });
    await writeFold(1, { round: 2 });
    const r = await runEnsemble(config(), 2);
    expect(r.paths.dir).toBe(join(dir, 'work', 'ensemble', 'round2'));
    expect(r.report.round).toBe(2);
    expect(r.eval.source).toBe('ensemble/round2');
  });

  it('names the missing prediction file and the target that writes it', async () => {
    await writeFold(0);
    await mkdir(foldDir(1), { recursive: true });
    await expect(runEnsemble(config(), 1)).rejects.toThrow(/train\/predictions artifact not found at .*fold-1.predictions-oof\.json: run `nx run train:round1` first/);
  });

  it('names a fold whose eval predictions lack ids', async () => {
    await writeFold(0);
    await writeFold(1);
    await writeFold(2, { evalIds: ['e1.jpg'] });
    await expect(runEnsemble(config(), 1)).rejects.toThrow(/fold-2 eval predictions \(.*predictions-eval\.json\) lack 2 ids, e\.g\. e3\.jpg, e2\.jpg: retrain that fold/);
  });

  it('rejects a weights list that does not match the folds', async () => {
    await writeFold(0);
    await writeFold(1);
    await expect(runEnsemble(config({ ensemble: { weights: [1, 2, 3] } }), 1)).rejects.toThrow(
      /config\.ensemble\.weights has 3 values but round 1 has 2 folds \(fold-0, fold-1\): give one weight per fold/,
    );
  });

  it('rejects overlapping out-of-fold sets and a file of the wrong split', async () => {
    await writeFold(0);
    await writeFold(1, { oofIds: ['p0/normal.jpg', 'p1/normal.jpg'] });
    await expect(runEnsemble(config(), 1)).rejects.toThrow(/1 ids are in both round1\/fold-0 and round1\/fold-1, e\.g\. p0\/normal\.jpg/);
    await writeFold(1, { oofSplit: 'eval' });
    await expect(runEnsemble(config(), 1)).rejects.toThrow(/predictions-oof\.json holds eval predictions, expected oof: retrain fold 1/);
  });

  it('ignores stray files and half-written folders beside the fold folders', async () => {
    await writeFold(0);
    await writeFold(1);
    await mkdir(join(dir, 'work', 'train', 'round1', '.fold-2.123.tmp'), { recursive: true });
    await writeFile(join(dir, 'work', 'train', 'round1', 'fold-9'), 'not a folder');
    expect((await findFoldDirs(config(), 1)).map((f) => f.fold)).toEqual([0, 1]);
  });
});

describe('ensemble CLI', () => {
  it('runs a round from a config file and prints the summary', async () => {
    for (const k of [0, 1]) await writeFold(k);
    const cfg = join(dir, 'config.json');
    await writeFile(cfg, JSON.stringify({ data: { root: 'data', work: 'work' } }));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await main(['--config', cfg, '--round', '1', '--workspace', dir]);
      expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/ensemble round 1: soft voting over 2 folds[\s\S]*ensemble: .*round1$/);
    } finally {
      log.mockRestore();
    }
  });

  it('rejects a bad round', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(main(['--config', 'x.json', '--round', '3'])).rejects.toThrow(/round must be 1 or 2, got "3"/);
      // with no --config and no $FACEMASK_CONFIG the stage reads the demo config
      await expect(main(['--round', '0'])).rejects.toThrow(/round must be 1 or 2, got "0"/);
    } finally {
      err.mockRestore();
    }
  });
});
