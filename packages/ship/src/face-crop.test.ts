import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFile, detectionsArtifact, ensembleArtifacts, readArtifact, readEvalList, workLayout } from '@facemask/contracts';
import { decodePhoto, openImageCache, transformPhoto } from '@facemask/image-cache';
import { cropToInput, type FaceFinder } from './crop.ts';
import { runExport } from './export.ts';
import { createNodeFaceFinder } from './face-crop-node.ts';
import { detectorFilePath } from './face-crop.ts';
import { disposeEnsemble, loadModelFolder } from './folder.ts';
import { predictFiles, type PhotoResult } from './predict.ts';
import { main as predictMain } from './predict-main.ts';
import { tinyFaceRun, useTestEngine, type TinyRun } from './testing/run.ts';

/*
 * A run whose image cache cropped around the face (detect stage, preprocess.faceCrop), exported:
 * predict must find the same faces with the folder's copy of the detector and crop them as the
 * cache did, so its pixels are the cache's and its answers the run's own eval probabilities.
 * Entrance-sized synthetic photos (384x512), a few of them.
 */
const PHOTOS = 4;
let run: TinyRun;
let model: string;
let dir: string;

beforeAll(async () => {
  await useTestEngine();
  run = await tinyFaceRun();
  dir = await mkdtemp(join(tmpdir(), 'ship-face-'));
  model = join(dir, 'model');
  await runExport(run.cfg, { out: model });
}, 900_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('export and predict with preprocess.faceCrop', () => {
  it("records the detect stage's options, crop, fallback and weights, and carries the weights", async () => {
    const ens = await loadModelFolder(model);
    disposeEnsemble(ens);
    const d = await readArtifact(detectionsArtifact, workLayout.detect(run.cfg.data.work).detections);
    const rule = ens.manifest.crop;
    expect(rule).toEqual({ kind: 'face', detect: d.options, crop: run.cfg.preprocess.faceCrop, fallbackCenterCrop: 384, models: d.models, backend: d.backend });
    for (const m of d.models) for (const f of m.files) expect((await stat(join(model, `detectors/${m.package}/${f.path}`))).size).toBeGreaterThan(0);
    expect(detectorFilePath('@vladmandic/human', 'blazeface.json')).toBe('detectors/@vladmandic/human/models/blazeface.json');
  });

  it("crops the photos as the image cache did and answers with the run's eval probabilities", async () => {
    const work = run.cfg.data.work;
    const list = (await readEvalList(work)).images.slice(0, PHOTOS);
    const d = await readArtifact(detectionsArtifact, workLayout.detect(work).detections);
    const found = list.filter((e) => d.records.find((r) => r.path === e.path)!.faces.length > 0);
    // Faces were found (the comparison covers the face crop, not only the fallback).
    expect(found.length).toBeGreaterThanOrEqual(PHOTOS - 1);

    const ens = await loadModelFolder(model);
    const faces = await createNodeFaceFinder(model, ens.manifest.crop as Extract<typeof ens.manifest.crop, { kind: 'face' }>);
    const cache = await openImageCache(work, 'eval', { root: run.cfg.data.root, quiet: true });
    const got: PhotoResult[] = [];
    try {
      const bytes = 32 * 32 * 3;
      const cached = await cache.read(list.map((e) => e.cacheIndex));
      for (const [i, e] of list.entries()) {
        const { pixels, fallback } = await cropToInput(await decodePhoto(dataFile(run.cfg.data.root, e.path)), ens.manifest, faces);
        expect(Buffer.from(pixels).equals(Buffer.from(cached.subarray(i * bytes, (i + 1) * bytes))), e.path).toBe(true);
        expect(fallback).toBe(!found.includes(e));
      }
      const tensors = tf.memory().numTensors;
      const s = await predictFiles(ens, list.map((e) => dataFile(run.cfg.data.root, e.path)), { batchSize: 2, faces, onResult: (r) => got.push(r), onFailure: (f) => expect.fail(f.reason) });
      expect(s).toEqual({ predicted: PHOTOS, failed: 0, fallbacks: PHOTOS - found.length, corrupt: 0 });
      expect(tf.memory().numTensors).toBe(tensors);
    } finally {
      await cache.close();
      faces.dispose();
      disposeEnsemble(ens);
    }
    const ev = await readArtifact(ensembleArtifacts(1).eval, workLayout.ensemble(work, 1).eval);
    const rows = new Map(ev.ids.map((id, i) => [id, i]));
    let worst = 0;
    got.forEach((r, i) => {
      const row = rows.get(list[i]!.ImageID)!;
      r.answer.probs.forEach((p, c) => (worst = Math.max(worst, Math.abs(p - ev.probs[row * 18 + c]!))));
    });
    expect(worst).toBeLessThan(1e-6);
  });

  it('takes the centre crop of a photo without a face, and pnpm predict says so', async () => {
    const wall = join(dir, 'wall.jpg');
    await writeFile(wall, await sharp({ create: { width: 384, height: 512, channels: 3, background: { r: 180, g: 170, b: 150 } } }).jpeg().toBuffer());
    const ens = await loadModelFolder(model);
    const faces: FaceFinder = await createNodeFaceFinder(model, ens.manifest.crop as Extract<typeof ens.manifest.crop, { kind: 'face' }>);
    try {
      const photo = await decodePhoto(wall);
      const { pixels, fallback } = await cropToInput(photo, ens.manifest, faces);
      expect(fallback).toBe(true);
      expect(Buffer.from(pixels).equals(Buffer.from(transformPhoto(photo, { centerCrop: 384, height: 32, width: 32 })))).toBe(true);
    } finally {
      faces.dispose();
      disposeEnsemble(ens);
    }
    const out: string[] = [];
    const err: string[] = [];
    expect(await predictMain(['--model', model, wall], (l) => out.push(l), (l) => err.push(l))).toBe(0);
    expect(out).toEqual([expect.stringMatching(/wall\.jpg: class \d+, .*\(no face found: centre crop\)$/)]);
    expect(err.at(-1)).toMatch(/1 photo predicted, 1 without a face found \(centre crop\)/);
  });

  it('refuses a folder whose detector weights are missing or altered, naming the file and the fix', async () => {
    const copy = join(dir, 'broken');
    await runExport(run.cfg, { out: copy });
    const graph = join(copy, 'detectors/@vladmandic/human/models/blazeface.bin');
    await writeFile(graph, Buffer.concat([await readFile(graph), Buffer.from([0])]));
    const err: string[] = [];
    const cli = (args: string[]) => predictMain(['--model', copy, '--quiet', ...args], () => {}, (l) => err.push(l));
    expect(await cli([join(dir, 'wall.jpg')])).toBe(1);
    expect(err.pop()).toMatch(/blazeface\.bin is not the @vladmandic\/human@3\.3\.6 file the training's detections came from: export the model again$/);
    await rm(join(copy, 'detectors'), { recursive: true });
    expect(await cli([join(dir, 'wall.jpg')])).toBe(1);
    expect(err.pop()).toMatch(/detectors\/@vladmandic\/human\/models\/blazeface\.json: ENOENT: the model folder lacks its detector's weights; export the model again$/);
  });
});
