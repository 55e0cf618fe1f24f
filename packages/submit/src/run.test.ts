import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensembleArtifacts, parseConfig, stageParams, workLayout, writeArtifact, type Round } from '@facemask/contracts';
import { peaked, preds } from '@facemask/contracts/testing';
import { main, ValidationFailed } from './main.ts';
import { runSubmit, type SubmitOptions } from './run.ts';
import { csvText, tempData } from '@facemask/contracts/testing/submission-files';

let t: Awaited<ReturnType<typeof tempData>>;
const ids = ['c.jpg', 'a.jpg', 'b.jpg'];
beforeEach(async () => {
  t = await tempData(ids);
});
afterEach(async () => {
  await t.cleanup();
});

const work = () => join(t.dir, 'work');
const submissionPath = (w: string) => workLayout.submission(w).csv;
/** runSubmit on the stage's slice of a config, as its CLI does. */
const submit = (extra: { pseudo?: object; evalLabels?: string } = {}, opts: Omit<SubmitOptions, 'work'> = {}) =>
  runSubmit(stageParams(parseConfig({ data: { root: t.dir, work: work(), evalLabels: extra.evalLabels ?? null }, pseudo: extra.pseudo ?? {} }), 'submit'), { work: work(), ...opts });

async function writeRound(round: Round, classes: Record<string, number>) {
  const order = ['a.jpg', 'b.jpg', 'c.jpg'];
  const p = preds(`ensemble/round${round}`, 'eval', order, order.map((id) => peaked(classes[id]!, 0.7)));
  await writeArtifact(ensembleArtifacts(round).eval, workLayout.ensemble(work(), round).eval, p);
}

function captureLog() {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' ')));
  return { lines, restore: () => (spy.mockRestore(), err.mockRestore()) };
}

describe('runSubmit', () => {
  it('writes round 1 in info.csv order when pseudo-labelling is off', async () => {
    await writeRound(1, { 'a.jpg': 1, 'b.jpg': 2, 'c.jpg': 3 });
    await writeRound(2, { 'a.jpg': 9, 'b.jpg': 9, 'c.jpg': 9 });
    const r = await submit();
    expect(r).toMatchObject({ path: submissionPath(work()), round: 1, rows: 3, score: null });
    expect(await readFile(r.path, 'utf8')).toBe('ImageID,ans\nc.jpg,3\na.jpg,1\nb.jpg,2\n');
  });

  it('writes round 2 when pseudo-labelling is on, and an explicit round wins', async () => {
    await writeRound(1, { 'a.jpg': 1, 'b.jpg': 2, 'c.jpg': 3 });
    await expect(submit({ pseudo: { enabled: true } })).rejects.toThrow(/ensemble\/eval artifact not found at .*round2.eval\.json: run `nx run ensemble:round2` first/);
    await writeRound(2, { 'a.jpg': 9, 'b.jpg': 9, 'c.jpg': 9 });
    const r2 = await submit({ pseudo: { enabled: true } });
    expect(r2.round).toBe(2);
    expect(await readFile(r2.path, 'utf8')).toBe('ImageID,ans\nc.jpg,9\na.jpg,9\nb.jpg,9\n');
    const r1 = await submit({ pseudo: { enabled: true } }, { round: 1 });
    expect(r1.round).toBe(1);
    expect(r1.counts[1]).toBe(1);
  });

  it('scores against config.data.evalLabels when set', async () => {
    await writeRound(1, { 'a.jpg': 1, 'b.jpg': 2, 'c.jpg': 3 });
    const labels = await t.write('eval_labels.csv', csvText([['a.jpg', 1], ['b.jpg', 2], ['c.jpg', 4]]));
    const r = await submit({ evalLabels: labels });
    expect(r.score?.accuracy).toBeCloseTo(2 / 3, 12);
  });

  it('names ensemble:round1 when nothing was ensembled', async () => {
    await expect(submit()).rejects.toThrow(/nx run ensemble:round1/);
  });
});

describe('submit CLI', () => {
  it('write prints the absolute submission path last', async () => {
    await writeRound(1, { 'a.jpg': 1, 'b.jpg': 2, 'c.jpg': 3 });
    const labels = await t.write('eval_labels.csv', csvText([['a.jpg', 1], ['b.jpg', 2], ['c.jpg', 3]]));
    const cfg = await t.write('config.json', JSON.stringify({ data: { root: '.', work: 'work', evalLabels: 'eval_labels.csv' } }));
    const log = captureLog();
    try {
      await main(['write', '--config', cfg, '--workspace', t.dir]);
    } finally {
      log.restore();
    }
    expect(log.lines.at(-1)).toBe(`submission: ${resolve(submissionPath(work()))}`);
    expect(log.lines.join('\n')).toMatch(/wrote 3 rows from the round-1 ensemble/);
    expect(log.lines.join('\n')).toMatch(new RegExp(`eval labels ${labels.replace(/[.\\]/g, '\\$&')}: macro F1 1\\.0000`));
  });

  it('validate lists the problems and fails; score prints macro F1', async () => {
    const bad = await t.write('bad.csv', csvText([['a.jpg', 1], ['a.jpg', 19]]));
    const log = captureLog();
    try {
      await expect(main(['validate', '--submission', bad, '--info', join(t.dir, 'eval', 'info.csv')])).rejects.toBeInstanceOf(ValidationFailed);
      const good = await t.write('good.csv', csvText(ids.map((id) => [id, 4])));
      await main(['validate', '--submission', good, '--info', join(t.dir, 'eval', 'info.csv')]);
      const labels = await t.write('labels.csv', csvText(ids.map((id) => [id, 4])));
      await main(['score', '--submission', good, '--labels', labels]);
    } finally {
      log.restore();
    }
    const text = log.lines.join('\n');
    expect(text).toMatch(/bad\.csv is not a valid submission:\n {2}- 2 of the 3 info\.csv ImageIDs are missing/);
    expect(text).toMatch(/- 1 ImageIDs appear more than once/);
    expect(text).toMatch(/- 1 rows have an invalid ans/);
    expect(text).toMatch(/good\.csv: valid/);
    expect(text).toMatch(/n 3 {2}macro F1 1\.0000 {2}accuracy 1\.0000/);
  });

  it('rejects a bad round and unknown commands', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(main(['write', '--config', 'c.json', '--round', '7'])).rejects.toThrow(/round must be 1 or 2, got "7"/);
      await expect(main(['frobnicate'])).rejects.toThrow(/unknown command/);
    } finally {
      err.mockRestore();
    }
  });

  it('exits with code 1 from a real process when validation fails', async () => {
    const bad = await t.write('bad.csv', 'ImageID,ans\nc.jpg,1\n');
    const here = fileURLToPath(new URL('.', import.meta.url));
    const tsx = resolve(here, '../../../node_modules/.bin/tsx');
    const run = promisify(execFile);
    const failure = await run(tsx, ['--conditions=source', join(here, 'main.ts'), 'validate', '--submission', bad, '--info', join(t.dir, 'eval', 'info.csv')]).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/2 of the 3 info\.csv ImageIDs are missing, e\.g\. a\.jpg, b\.jpg/);
  });
});
