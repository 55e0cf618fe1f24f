import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  dataLayout,
  ensembleArtifacts,
  foldArtifacts,
  hashJson,
  MODEL_FOLDER_FILES,
  parseCsv,
  readArtifact,
  dataFile,
  readEvalList,
  readFingerprint,
  workLayout,
  type PipelineConfig,
} from '@facemask/contracts';
import { combine } from '@facemask/ensemble';
import { corruptSecondHalf } from '@facemask/augment/testing/corrupt-jpeg';
import { runExport } from './export.ts';
import { disposeEnsemble, loadModelFolder, readManifest } from './folder.ts';
import { predictFiles, type PhotoResult } from './predict.ts';
import { main as predictMain } from './predict-main.ts';
import { predictedVsSubmitted } from './testing/predict-check.ts';
import { tinyRun, useTestEngine, type TinyRun } from './testing/run.ts';

/** Runs the predict CLI, collecting stdout and stderr lines. */
async function predictCli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await predictMain(args, (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

const tmp = (prefix: string) => mkdtemp(join(tmpdir(), prefix));

describe('export and predict on a run of the pipeline', () => {
  let run: TinyRun;
  let cfg: PipelineConfig;
  let model: string;
  let evalDir: string;

  beforeAll(async () => {
    await useTestEngine();
    run = await tinyRun();
    cfg = run.cfg;
    model = join(await tmp('ship-model-'), 'model');
    await runExport(cfg, { out: model });
    evalDir = dataLayout.evalImages(run.root);
  }, 900_000);

  it('predict on eval/images gives the classes of submission.csv', async () => {
    const r = await predictCli(['--model', model, '--format', 'csv', '--quiet', evalDir]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const { predicted, submitted, answered } = await predictedVsSubmitted(r.out.join('\n'), run.submission);
    expect(answered).toBe(submitted.length);
    expect(predicted).toEqual(submitted);
  });

  it("gives every eval photo the run ensemble's probabilities", async () => {
    const work = cfg.data.work;
    const ev = await readArtifact(ensembleArtifacts(1).eval, workLayout.ensemble(work, 1).eval);
    const list = await readEvalList(work);
    const got = await predictAll(model, list.images.map((e) => dataFile(cfg.data.root, e.path)));
    let worst = 0;
    got.forEach((r, i) => r.answer.probs.forEach((p, c) => (worst = Math.max(worst, Math.abs(p - ev.probs[i * 18 + c]!)))));
    expect(worst).toBeLessThan(1e-6);
    // Photos differ, so the comparison above compares something.
    expect(new Set(got.map((r) => r.answer.confidence.toFixed(6))).size).toBeGreaterThan(got.length / 2);
  });

  it('describes the run in its manifest', async () => {
    const m = await readManifest(model);
    const work = cfg.data.work;
    const report = await readArtifact(ensembleArtifacts(1).report, workLayout.ensemble(work, 1).report);
    const fp = await readFingerprint(work);
    expect(m.members.map((x) => [x.fold, x.path])).toEqual([
      [0, 'folds/fold-0'],
      [1, 'folds/fold-1'],
    ]);
    expect(m.vote).toEqual({ method: 'soft', weights: [0.3, 0.7] });
    expect(m.head).toBe('multi');
    expect(m.input).toEqual({ height: 24, width: 24, channels: 3 });
    expect(m.crop).toEqual({ kind: 'centre', size: 88 });
    expect(m.normalize).toEqual({ mean: cfg.augment.mean, std: cfg.augment.std });
    expect(m.tta).toBe('hflip');
    expect(m.ageThresholds).toEqual({ young: 30, old: 60 });
    expect(m.classes[14]).toEqual({ id: 14, mask: 'not_wear', gender: 'male', age: '60+' });
    expect(m.source.configHash).toBe(hashJson(cfg));
    expect(m.source.data).toEqual({ dataset: fp.dataset, files: fp.files, bytes: fp.bytes, optionsHash: fp.optionsHash });
    expect(m.scores.macroF1).toBe(report.oof.macroF1);
    expect(m.scores.folds).toEqual(report.folds);
  });

  it("exports a chosen fold alone, and votes as the run's hard vote would", async () => {
    const work = cfg.data.work;
    const list = await readEvalList(work);
    const paths = list.images.map((e) => dataFile(cfg.data.root, e.path));
    const one = join(await tmp('ship-one-'), 'model');
    const { manifest } = await runExport(cfg, { out: one, folds: [1] });
    expect(manifest.members.map((x) => x.fold)).toEqual([1]);
    expect(manifest.vote.weights).toEqual([0.7]);
    const fold1 = await readArtifact(foldArtifacts(1, 1).predictions, workLayout.fold(work, 1, 1).eval);
    const alone = await predictAll(one, paths);
    alone.forEach((r, i) => r.answer.probs.forEach((p, c) => expect(Math.abs(p - fold1.probs[i * 18 + c]!)).toBeLessThan(1e-6)));

    // The same folder told to vote hard: each photo's class is combine()'s hard vote over the folds.
    const hard = join(await tmp('ship-hard-'), 'model');
    await runExport(cfg, { out: hard });
    const file = join(hard, MODEL_FOLDER_FILES.manifest);
    const json = JSON.parse(await readFile(file, 'utf8')) as { data: { vote: { method: string } } };
    json.data.vote.method = 'hard';
    await writeFile(file, JSON.stringify(json));
    const folds = await Promise.all([0, 1].map((f) => readArtifact(foldArtifacts(1, f).predictions, workLayout.fold(work, 1, f).eval)));
    const want = combine(folds, { method: 'hard', weights: [0.3, 0.7], ids: list.images.map((e) => e.ImageID) });
    const got = await predictAll(hard, paths);
    got.forEach((r, i) => expect(r.answer.probs).toEqual(want.probs.slice(i * 18, (i + 1) * 18)));
  });

  it('refuses what does not match the run, naming the fix', async () => {
    await expect(runExport(cfg, { out: join(await tmp('ship-x-'), 'm'), folds: [5] })).rejects.toThrow(/--folds lists fold 5, but the run trained folds 0, 1/);
    const foreign = await tmp('ship-foreign-');
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    await expect(runExport(cfg, { out: foreign })).rejects.toThrow(/holds other files: name a new folder/);
    expect(await readFile(join(foreign, 'notes.txt'), 'utf8')).toBe('mine');
    const edited = { ...cfg, train: { ...cfg.train, epochs: 3 } };
    await expect(runExport(edited, { out: join(await tmp('ship-x-'), 'm') })).rejects.toThrow(/trained with other train settings than this config's .*run\.json/);
  });

  it('refuses a model folder of another version, naming both versions', async () => {
    const dir = join(await tmp('ship-v2-'), 'model');
    await runExport(cfg, { out: dir, folds: [0] });
    const file = join(dir, MODEL_FOLDER_FILES.manifest);
    const json = JSON.parse(await readFile(file, 'utf8')) as { version: number };
    await writeFile(file, JSON.stringify({ ...json, version: 2 }));
    const r = await predictCli(['--model', dir, '--quiet', evalDir]);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(/manifest\.json is model folder version 2, this facemask reads version 1: export the model again/);
  });

  it('reports and skips photos it cannot read, and says so in its exit code', async () => {
    const dir = await tmp('ship-photos-');
    const good = dataFile(cfg.data.root, (await readEvalList(cfg.data.work)).images[0]!.path);
    await mkdir(join(dir, 'sub'));
    await copyFile(good, join(dir, 'sub', 'good.jpg'));
    await writeFile(join(dir, 'corrupt.jpg'), 'not a jpeg');
    await writeFile(join(dir, 'empty.png'), '');
    await writeFile(join(dir, 'notes.txt'), 'not a photo');
    const r = await predictCli(['--model', model, dir, join(dir, 'missing.jpg')]);
    expect(r.code).toBe(1);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toMatch(/sub\/good\.jpg: class \d+, (wear|incorrect|not wear) \/ (male|female) \/ (<30|30-59|60\+), confidence 0\.\d{3}$/);
    const err = r.err.join('\n');
    expect(err).toMatch(/cannot read .*corrupt\.jpg: corrupt or not an image/);
    expect(err).toMatch(/cannot read .*empty\.png: empty file \(0 bytes\)/);
    expect(err).toMatch(/missing\.jpg: no such file or folder/);
    expect(err).toMatch(/1 photo predicted, 3 could not be read \(listed above\), 1 non-photo file in the folders ignored/);

    const ok = await predictCli(['--model', model, '--format', 'jsonl', '--quiet', join(dir, 'sub')]);
    expect(ok.code).toBe(0);
    const line = JSON.parse(ok.out[0]!) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual(['path', 'class', 'mask', 'gender', 'age', 'confidence']);
  });

  it('answers a photo whose second half is corrupt but flags it in every format, and exits 1', async () => {
    const dir = await tmp('ship-corrupt-');
    const good = dataFile(cfg.data.root, (await readEvalList(cfg.data.work)).images[0]!.path);
    await copyFile(good, join(dir, 'a-good.jpg'));
    await writeFile(join(dir, 'b-half.jpg'), corruptSecondHalf(await readFile(good)));
    // libjpeg names what it tripped on first ("premature end of data segment", "bad Huffman code").
    const damage = /Corrupt JPEG data: \w/;

    const text = await predictCli(['--model', model, dir]);
    expect(text.code).toBe(1);
    expect(text.out).toHaveLength(2);
    expect(text.out[0]).toMatch(/a-good\.jpg: class \d+, .*confidence 0\.\d{3}$/);
    expect(text.out[1]).toMatch(/b-half\.jpg: class \d+, .*confidence 0\.\d{3} \(corrupt photo, the answer may be wrong: Corrupt JPEG data: \w[^)]*\)$/);
    const err = text.err.join('\n');
    expect(err).toMatch(/b-half\.jpg: corrupt image data \(Corrupt JPEG data: \w[^)]*\): answered, but the answer may be wrong/);
    expect(err).toMatch(/2 photos predicted, 1 of them from corrupt data \(flagged\)/);

    const file = join(dir, 'answers', 'out.csv');
    const csv = await predictCli(['--model', model, '--format', 'csv', '--quiet', '--out', file, dir]);
    expect(csv.code).toBe(1);
    expect(csv.out).toEqual([]);
    const rows = parseCsv(await readFile(file, 'utf8'), file, ['path', 'class', 'corrupt']);
    expect(rows.map((x) => [basename(x.path!), x.corrupt === '' ? 'clean' : x.corrupt])).toEqual([
      ['a-good.jpg', 'clean'],
      ['b-half.jpg', expect.stringMatching(damage)],
    ]);

    const jsonl = await predictCli(['--model', model, '--format', 'jsonl', '--quiet', dir]);
    expect(jsonl.code).toBe(1);
    const lines = jsonl.out.map((l) => JSON.parse(l) as { corrupt?: string });
    expect(lines[0]!.corrupt).toBeUndefined();
    expect(lines[1]!.corrupt).toMatch(damage);
  });

  it('exits 2 for a usage error: a bad option, no photos at all, --out naming a folder', async () => {
    const empty = await tmp('ship-empty-');
    await writeFile(join(empty, 'notes.txt'), 'not a photo');
    const none = await predictCli(['--model', model, empty]);
    expect(none.code).toBe(2);
    expect(none.err).toEqual([expect.stringMatching(new RegExp(`^predict: no photos in ${empty} \\(looked for \\.jpg, \\.jpeg and \\.png.*\\): name photo files or folders that hold them$`))]);
    expect((await predictCli(['--model', model, '--out', empty, evalDir])).code).toBe(2);
    expect((await predictCli(['--model', model, '--format', 'xml', evalDir])).code).toBe(2);
    expect((await predictCli([evalDir])).code).toBe(2);
  });

  it('leaves no tensors behind, batch after batch', async () => {
    const ens = await loadModelFolder(model);
    try {
      const paths = (await readEvalList(cfg.data.work)).images.slice(0, 6).map((e) => dataFile(cfg.data.root, e.path));
      const count = async () => {
        await predictFiles(ens, paths, { batchSize: 4, onResult: () => {}, onFailure: () => {} });
        return tf.memory().numTensors;
      };
      const first = await count();
      expect(await count()).toBe(first);
    } finally {
      disposeEnsemble(ens);
    }
  });
});

async function predictAll(model: string, paths: string[]): Promise<PhotoResult[]> {
  const ens = await loadModelFolder(model);
  try {
    const got: PhotoResult[] = [];
    await predictFiles(ens, paths, { batchSize: 5, onResult: (r) => got.push(r), onFailure: (f) => expect.fail(`${f.path}: ${f.reason}`) });
    return got;
  } finally {
    disposeEnsemble(ens);
  }
}
