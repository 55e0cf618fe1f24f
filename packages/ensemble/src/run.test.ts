import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ensembleArtifacts,
  evalListArtifact,
  parseConfig,
  predictedClasses,
  predictionsArtifact,
  readArtifact,
  runRecordArtifact,
  stageParams,
  workLayout,
  writeArtifact,
  type ConfigInput,
  type Predictions,
  type Round,
} from '@facemask/contracts';
import { peaked, preds } from '@facemask/contracts/testing';
import { main } from './main.ts';
import { runEnsemble } from './run.ts';

let dir: string;
const evalIds = ['e3.jpg', 'e1.jpg', 'e2.jpg'];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ensemble-run-'));
  // What preprocess lists: the eval photos in info.csv order.
  const images = evalIds.map((ImageID, cacheIndex) => ({ ImageID, path: join(dir, 'data', 'eval', 'images', ImageID), cacheIndex }));
  await writeArtifact(evalListArtifact, workLayout.preprocess(join(dir, 'work')).eval, { images });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const config = (extra: Partial<ConfigInput> = {}) => parseConfig({ data: { root: join(dir, 'data'), work: join(dir, 'work') }, preprocess: { folds: 3 }, ...extra });
/** runEnsemble on the stage's slice of a config, as its CLI does. */
const ensemble = (extra: Partial<ConfigInput>, round: Round) => runEnsemble(stageParams(config(extra), 'ensemble'), { work: join(dir, 'work'), round });
const foldDir = (fold: number, round: Round = 1) => workLayout.fold(join(dir, 'work'), round, fold).dir;

/** Fold k validates person pk; on eval, folds 0 and 1 say class 3 for e1, fold 2 says class 9 confidently. */
async function writeFold(fold: number, opts: { round?: Round; evalIds?: string[]; oofIds?: string[]; oofSplit?: 'oof' | 'eval' } = {}) {
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
    const r = await ensemble({}, 1);
    expect(r.dir).toBe(join(dir, 'work', 'ensemble', 'round1'));
    expect((await readdir(r.dir)).sort()).toEqual(['eval.json', 'oof.json', 'report.json', 'report.txt']);
    expect((await readdir(join(dir, 'work', 'ensemble'))).sort()).toEqual(['round1']);

    const specs = ensembleArtifacts(1);
    const paths = workLayout.ensemble(join(dir, 'work'), 1);
    const ev = await readArtifact(specs.eval, paths.eval);
    expect(ev.ids).toEqual(evalIds);
    expect(ev.source).toBe('ensemble/round1');
    // soft: e1 is class 3 at (0.45 + 0.45 + 0.01/17) / 3 ~ 0.300 against class 9 at (0.99 + 2 * 0.55/17) / 3 ~ 0.352
    expect(predictedClasses(ev)).toEqual([17, 9, 5]);

    const oof = await readArtifact(specs.oof, paths.oof);
    expect(oof.ids).toHaveLength(6);
    const report = await readArtifact(specs.report, paths.report);
    expect(report.members.map((m) => m.fold)).toEqual([0, 1, 2]);
    expect(report.oof.accuracy).toBe(0.5);
    expect(report.method).toBe('soft');
    expect(await readFile(paths.summaryText, 'utf8')).toBe(r.summary + '\n');
    expect(r.summary).toMatch(/^ensemble round 1: soft voting over 3 folds \(fold-0, fold-1, fold-2\)/);
  });

  it('uses the configured method and weights', async () => {
    for (const k of [0, 1, 2]) await writeFold(k);
    const hard = await ensemble({ ensemble: { method: 'hard' } }, 1);
    // two votes for class 3 beat one confident vote for class 9
    expect(predictedClasses(hard.eval)[1]).toBe(3);
    expect(hard.eval.probs[18 + 3]).toBeCloseTo(2 / 3, 12);
    const weighted = await ensemble({ ensemble: { method: 'hard', weights: [1, 1, 3] } }, 1);
    expect(predictedClasses(weighted.eval)[1]).toBe(9);
    expect(weighted.report.weights).toEqual([1, 1, 3]);
  });

  it('uses only the folds config.train.folds lists', async () => {
    for (const k of [0, 1, 2]) await writeFold(k);
    const r = await ensemble({ train: { folds: [2, 0] } }, 1);
    expect(r.report.members.map((m) => m.fold)).toEqual([0, 2]);
    expect(r.oof.ids).toHaveLength(4);
    expect(() => config({ train: { folds: [0, 4] } }) && stageParams(config({ train: { folds: [0, 4] } }), 'ensemble')).toThrow(/train.folds lists fold 4 but preprocess.folds is 3/);
  });

  it('votes over the folds this config trains, never over folders an earlier run left behind', async () => {
    // an earlier run with 3 folds in the same work folder
    for (const k of [0, 1, 2]) await writeFold(k);
    const r = await ensemble({ preprocess: { folds: 2 } }, 1);
    expect(r.report.members.map((m) => m.fold)).toEqual([0, 1]);
    expect(r.oof.ids).toHaveLength(4);
  });

  it('reads round 2 from its own folder and names train:round2 when it is missing', async () => {
    await expect(ensemble({}, 2)).rejects.toThrow(/train\/predictions artifact not found at .*round2.fold-0.predictions-oof\.json: run `nx run train:round2-fold-0` first/);
    for (const k of [0, 1, 2]) await writeFold(k, { round: 2 });
    const r = await ensemble({}, 2);
    expect(r.dir).toBe(join(dir, 'work', 'ensemble', 'round2'));
    expect(r.report.round).toBe(2);
    expect(r.eval.source).toBe('ensemble/round2');
  });

  it('names the missing prediction file and the target that writes it', async () => {
    await writeFold(0);
    await mkdir(foldDir(1), { recursive: true });
    await expect(ensemble({}, 1)).rejects.toThrow(/train\/predictions artifact not found at .*fold-1.predictions-oof\.json: run `nx run train:round1-fold-1` first/);
  });

  it('names a fold whose eval predictions lack ids', async () => {
    await writeFold(0);
    await writeFold(1);
    await writeFold(2, { evalIds: ['e1.jpg'] });
    await expect(ensemble({}, 1)).rejects.toThrow(/fold-2 eval predictions \(.*predictions-eval\.json\) lack 2 ids, e\.g\. e3\.jpg, e2\.jpg: retrain that fold \(`nx run train:round1-fold-2`\)/);
  });

  it('rejects a weights list that does not match the folds', async () => {
    await writeFold(0);
    await writeFold(1);
    // Config load refuses this (contracts' checks); a stage handed such params still stops.
    const params = stageParams(config({ preprocess: { folds: 2 } }), 'ensemble');
    await expect(runEnsemble({ ...params, ensemble: { ...params.ensemble, weights: [1, 2, 3] } }, { work: join(dir, 'work'), round: 1 })).rejects.toThrow(
      /config\.ensemble\.weights has 3 values but round 1 has 2 folds \(fold-0, fold-1\): give one weight per fold/,
    );
  });

  it('rejects overlapping out-of-fold sets and a file of the wrong split', async () => {
    await writeFold(0);
    await writeFold(1, { oofIds: ['p0/normal.jpg', 'p1/normal.jpg'] });
    await writeFold(2);
    await expect(ensemble({}, 1)).rejects.toThrow(/1 ids are in both round1\/fold-0 and round1\/fold-1, e\.g\. p0\/normal\.jpg/);
    await writeFold(1, { oofSplit: 'eval' });
    await expect(ensemble({}, 1)).rejects.toThrow(/predictions-oof\.json holds eval predictions, expected oof: retrain fold 1/);
  });
});

describe('ensemble CLI', () => {
  it('runs a round from a config file and prints the summary', async () => {
    for (const k of [0, 1]) await writeFold(k);
    const cfg = join(dir, 'config.json');
    await writeFile(cfg, JSON.stringify({ data: { root: 'data', work: 'work' }, preprocess: { folds: 2 } }));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await main(['--config', cfg, '--round', '1', '--workspace', dir]);
      expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/ensemble round 1: soft voting over 2 folds[\s\S]*ensemble: .*round1$/);
      const run = await readArtifact(runRecordArtifact, workLayout.ensemble(join(dir, 'work'), 1).run);
      expect(run).toMatchObject({ target: 'ensemble:round1', backend: null });
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
