import { readFile, readdir, rm, stat, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectionsArtifact, parseCsv, parseConfig, readArtifact, runRecordArtifact, sha256OfFile, stageHandoff, stageParams, workLayout, writeArtifact } from '@facemask/contracts';
import { ensureImageStore, openCropHandoff, readFaceCrop, type CacheTransform } from '@facemask/image-cache';
import { DEFAULT_SYNTH_OPTIONS, generateDataset } from '@facemask/synth';
import { main } from './main.ts';
import { runDetect, type DetectParams, type DetectResult } from './run.ts';

/*
 * The stage on a small synthetic set: the generator knows where it drew each face
 * (face_boxes.csv), a held-out seed for the face-square calibration (fitted on seed 11).
 */
let dir: string;
let root: string;
let person: string;
let result: DetectResult;
let params: DetectParams;
const warnings: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detect-run-'));
  root = join(dir, 'data');
  await generateDataset({ ...DEFAULT_SYNTH_OPTIONS, out: root, people: 3, seed: 7, evalFraction: 0.34, quiet: true });
  person = (await readdir(join(root, 'train', 'images'))).sort()[0]!;
  // a plain wall where a face was, and a photo cut short
  const wall = sharp({ create: { width: 384, height: 512, channels: 3, background: { r: 180, g: 170, b: 150 } } }).jpeg();
  await writeFile(join(root, 'train', 'images', person, 'mask3.jpg'), await wall.toBuffer());
  const full = await readFile(join(root, 'train', 'images', person, 'mask4.jpg'));
  await writeFile(join(root, 'train', 'images', person, 'mask4.jpg'), full.subarray(0, full.length >> 1));
  params = stageParams(parseConfig({ data: { root } }), 'detect');
  result = await runDetect(params, { work: join(dir, 'work'), quiet: true, log: (l) => warnings.push(l), workers: 2 });
}, 300_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('runDetect', () => {
  it('finds each drawn face: a box inside the photo, on the drawn face at its scale', async () => {
    const truth = new Map(
      parseCsv(await readFile(join(root, 'face_boxes.csv'), 'utf8'), 'face_boxes.csv', ['path', 'x', 'y', 'width', 'height']).map((r) => [
        r.path!,
        { x: Number(r.x), y: Number(r.y), width: Number(r.width), height: Number(r.height) },
      ]),
    );
    const { records } = await readArtifact(detectionsArtifact, workLayout.detect(join(dir, 'work')).detections);
    expect(records).toHaveLength(21 - 1);
    const drawn = records.filter((r) => !r.path.endsWith(`${person}/mask3.jpg`));
    const found = drawn.filter((r) => r.faces.length > 0);
    // BlazeFace at 0.2 finds nearly all of them (a miss falls back to the centre crop)
    expect(found.length, drawn.filter((r) => r.faces.length === 0).map((r) => r.path).join(', ')).toBeGreaterThanOrEqual(drawn.length - 1);
    const missed: string[] = [];
    for (const r of found) {
      expect(r.faces, r.path).toHaveLength(1);
      const { box } = r.faces[0]!;
      expect([r.width, r.height]).toEqual([384, 512]);
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(384);
      expect(box.y + box.height).toBeLessThanOrEqual(512);
      // on the drawn face: its centre inside it, at the face's scale (the generator's box takes in
      // hair and ears; BlazeFace's, the inner face)
      const to = truth.get(r.path)!;
      const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
      const inside = cx >= to.x && cx <= to.x + to.width && cy >= to.y && cy <= to.y + to.height;
      const scale = box.width / to.width;
      if (!inside || scale < 0.4 || scale > 1.5) missed.push(`${r.path} (centre ${inside ? 'inside' : 'outside'}, ${scale.toFixed(2)}x its width)`);
    }
    // one face of the nineteen may be missed or found in part (a part falls back to a tight crop);
    // the 95%-of-every-kind bar is face-detect's detector test, on realfaces-dev-wide
    expect(missed.length, missed.join(', ')).toBeLessThanOrEqual(1);
  });

  it('records no face for a photo without one, counted in its kind', () => {
    const wall = result.detections.records.find((r) => r.path === `train/images/${person}/mask3.jpg`)!;
    expect(wall.faces).toEqual([]);
    expect(result.counts.find((c) => c.group === 'mask3')).toEqual({ group: 'mask3', photos: 2, faces: 1, noFace: 1, failed: 0 });
    const evalRecords = result.detections.records.filter((r) => r.path.startsWith('eval/'));
    const evalFaces = evalRecords.filter((r) => r.faces.length > 0).length;
    expect(result.counts.find((c) => c.group === 'eval')).toEqual({ group: 'eval', photos: 7, faces: evalFaces, noFace: 7 - evalFaces, failed: 0 });
    expect(result.counts.reduce((a, c) => a + c.photos, 0)).toBe(21);
    expect(result.report).toMatch(/mask3\s+2\s+50\.0%\s+1\s+0/);
  });

  it("records a photo that does not decode with preprocess's reason, warns naming it and the fix, and goes on", () => {
    const path = `train/images/${person}/mask4.jpg`;
    expect(result.detections.failures).toEqual([{ path, reason: expect.stringMatching(/^truncated image \(/) }]);
    expect(result.counts.find((c) => c.group === 'mask4')).toMatchObject({ photos: 2, faces: 1, failed: 1 });
    expect(warnings).toEqual([
      `warning: ${join(root, path)}: ${result.detections.failures[0]!.reason}. Fix: replace it with a readable JPEG/PNG or delete it (and its person if no longer complete); preprocess stops on it or leaves it out, as preprocess.onBadInput says`,
    ]);
  });

  it('names the models and the options in the artifact, and no data root (the records are relative to it)', () => {
    const d = result.detections;
    expect(d).not.toHaveProperty('dataRoot');
    expect(d.records.every((r) => !r.path.startsWith('/') && !r.path.includes(root))).toBe(true);
    expect(d.options.detectors).toEqual([{ name: 'blazeface', minScore: 0.2 }]);
    expect(d.models.map((m) => [m.detector, m.package])).toEqual([['blazeface', '@vladmandic/human']]);
  });
});

describe('the shared detection store', () => {
  it('serves a rerun on the same photos and detectors: no detector runs, the stored file is linked in, the summary names the entry', async () => {
    expect(result.store).toEqual({ key: expect.stringMatching(/^[0-9a-f]{64}$/), reused: false });
    const work = join(dir, 'work');
    const stored = workLayout.detectionStore(work, result.store!.key);
    expect(result.report).toContain(`stored for other runs in `);
    // the photos' digests went to the data fingerprint's sidecar, which preprocess reads too
    const sidecar = workLayout.fingerprintSidecar(work);
    const digested = await stat(sidecar);
    expect(Object.keys((JSON.parse(await readFile(sidecar, 'utf8')) as { files: object }).files)).toHaveLength(21);
    const again: string[] = [];
    const rerun = await runDetect(params, { work, quiet: true, log: (l) => again.push(l), workers: 2 });
    // no photo was read for the rerun's key: the sidecar is replaced only when one was
    expect(await stat(sidecar)).toMatchObject({ ino: digested.ino, mtimeMs: digested.mtimeMs });
    expect(rerun.store).toEqual({ key: result.store!.key, reused: true });
    expect(rerun.detections).toEqual(result.detections);
    expect(rerun.counts).toEqual(result.counts);
    // the photo that does not decode is reported again, as a run that detects would
    expect(again).toEqual(warnings);
    expect(rerun.report).toMatch(/blazeface >= 0\.2 on \w+, no detector ran: 21 photos/);
    expect(rerun.report).toMatch(new RegExp(`from the shared detection store .*${result.store!.key}`));
    expect(await readFile(workLayout.detect(work).summaryText, 'utf8')).toBe(rerun.report + '\n');
    const [linked, inStore] = await Promise.all([stat(workLayout.detect(work).detections), stat(stored.detections)]);
    expect(linked.ino).toBe(inStore.ino);
  });
});

describe("the image cache's crops, cut from detection's own decode", () => {
  it('hands preprocess the crop of every photo the detectors saw, which builds the store decoding builds; a store hit hands none', async () => {
    const cfg = parseConfig({ data: { root }, preprocess: { centerCrop: 384, height: 24, width: 24, faceCrop: { margin: 0.2 } } });
    const handoff = stageHandoff(cfg, 'detect')!;
    const work = join(dir, 'handoff-work');
    const r = await runDetect(stageParams(cfg, 'detect'), { work, quiet: true, log: () => {}, workers: 2, handoff });
    // the hook changes no detection; 21 photos, one of them does not decode
    expect(r.detections.records).toEqual(result.detections.records);
    expect(r.handoff).toEqual({ photos: 20 });
    expect(r.report).toContain('image cache crops of 20 photos cut from the same decode, for preprocess: ');

    const inputs = await Promise.all(r.detections.records.map(async (rec) => ({ id: rec.path, path: rec.path, sha256: await sha256OfFile(join(root, rec.path)) })));
    const transform = async (w: string): Promise<CacheTransform> => ({ centerCrop: 384, height: 24, width: 24, faceCrop: await readFaceCrop(w, root, handoff.faceCrop) });
    const t = await transform(work);
    const crops = await openCropHandoff(work, t, (line) => expect.fail(line));
    expect(crops).not.toBeNull();
    const taken = await ensureImageStore(work, 'train', inputs, t, { root, quiet: true, handoff: crops }).finally(() => crops!.close());
    const fresh = join(dir, 'handoff-decode');
    await writeArtifact(detectionsArtifact, workLayout.detect(fresh).detections, r.detections);
    const decoded = await ensureImageStore(fresh, 'train', inputs, await transform(fresh), { root, quiet: true });
    expect([taken.handedOver, decoded.handedOver]).toEqual([20, 0]);
    expect(taken.index.pixelsSha256).toBe(decoded.index.pixelsSha256);

    // a rerun finds its detections in the store: no detector ran, so no photo was decoded and none is handed over
    const again = await runDetect(stageParams(cfg, 'detect'), { work, quiet: true, log: () => {}, workers: 2, handoff });
    expect(again.store?.reused).toBe(true);
    expect(again.handoff).toBeNull();
    expect(again.report).not.toContain('image cache crops');
  }, 300_000);
});

describe('the CLI', () => {
  it('writes the detections, the summary and the run record', async () => {
    const cfgFile = join(dir, 'config.json');
    await writeFile(cfgFile, JSON.stringify({ data: { root, work: join(dir, 'cli-work') } }));
    let printed = '';
    expect(await main(['--config', cfgFile, '--quiet', '--workers', '1'], (t) => (printed += t))).toBe(0);
    const layout = workLayout.detect(join(dir, 'cli-work'));
    const run = await readArtifact(runRecordArtifact, layout.run);
    expect(run.target).toBe('detect:run');
    expect(run.backend).toBe(result.detections.backend);
    expect(printed).toBe(`${await readFile(layout.summaryText, 'utf8')}`);
    expect(printed).toMatch(/blazeface >= 0\.2 on \w+, 1 worker: 21 photos/);
    const again = await readArtifact(detectionsArtifact, layout.detections);
    // one thread or two: the same records
    expect(again.records).toEqual(result.detections.records);
  });

  it("runs on the config's backend when neither --backend nor TFJS_BACKEND names one", async () => {
    const cfgFile = join(dir, 'config-cpu.json');
    await writeFile(cfgFile, JSON.stringify({ data: { root, work: join(dir, 'cpu-work') }, backend: 'cpu' }));
    const saved = process.env.TFJS_BACKEND;
    delete process.env.TFJS_BACKEND;
    try {
      let printed = '';
      expect(await main(['--config', cfgFile, '--quiet', '--workers', '1'], (t) => (printed += t))).toBe(0);
      expect(printed).toMatch(/blazeface >= 0\.2 on cpu, 1 worker/);
      const run = await readArtifact(runRecordArtifact, workLayout.detect(join(dir, 'cpu-work')).run);
      expect(run.backend).toBe('cpu');
    } finally {
      if (saved !== undefined) process.env.TFJS_BACKEND = saved;
    }
  }, 300_000);
});

