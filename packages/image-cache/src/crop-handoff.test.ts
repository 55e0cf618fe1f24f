import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFile, detectionsArtifact, parseConfig, sha256OfFile, stageHandoff, workLayout, writeArtifact, type DetectionRecord } from '@facemask/contracts';
import { decodePhoto } from '@facemask/augment/decode';
import { corruptSecondHalf } from '@facemask/augment/testing/corrupt-jpeg';
import { buildCropHandoff, openCropHandoff, removeCropHandoff, type AddCrop } from './crop-handoff.ts';
import { afterDetect, type HandoffCrop } from './crop-hook.ts';
import { readFaceCrop } from './face-crop.ts';
import { ensureImageStore, type CacheInput } from './store.ts';
import type { CacheTransform } from './transform.ts';

/*
 * detect's crops against the image cache's own: a store built from the handoff must be the store
 * built by decoding every photo (same pixels sha256), and a crop is taken only where it is what
 * preprocess would cut itself. The photos are noise (every pixel differs), so a crop cut from the
 * wrong place, size or photo changes the sha256.
 */
let dir: string;
let root: string;
let inputs: CacheInput[];
const W = 48;
const H = 64;
const crop: HandoffCrop = stageHandoff(parseConfig({ data: { root: '/x' }, preprocess: { centerCrop: 40, height: 16, width: 16, faceCrop: { margin: 0.2 } } }), 'detect')!;
const face = (x: number, y: number, side: number) => ({ box: { x, y, width: side, height: side }, score: 0.9, detector: 'blazeface' as const });
// three faces in different places, one photo without
const FACES = [[face(4, 6, 20)], [face(20, 30, 16)], [], [face(10, 10, 30)]];

async function noisePhoto(file: string, seed: number): Promise<void> {
  const px = Buffer.alloc(W * H * 3);
  let s = seed;
  for (let i = 0; i < px.length; i++) px[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  await sharp(px, { raw: { width: W, height: H, channels: 3 } }).png().toFile(file);
}

const records = (faces = FACES): DetectionRecord[] => inputs.slice(0, faces.length).map((inp, i) => ({ path: inp.path, width: W, height: H, faces: faces[i]! }));

async function writeDetections(work: string, recs: DetectionRecord[]): Promise<void> {
  const models = [{ detector: 'blazeface' as const, package: '@vladmandic/human', version: '3.3.6', files: [{ path: 'models/blazeface.json', sha256: '0'.repeat(64) }] }];
  await writeArtifact(detectionsArtifact, workLayout.detect(work).detections, { options: {}, models, backend: 'wasm', records: recs, failures: [] });
}

/** What detect's pass does with the hook, in this process: decode, record, crop, add. */
async function detectPass(recs: DetectionRecord[], add: AddCrop): Promise<string> {
  for (const r of recs) {
    const file = dataFile(root, r.path);
    const pixels = afterDetect(await decodePhoto(file), { ...r, path: file }, file, crop);
    if (pixels) add(r.path, inputs.find((i) => i.path === r.path)!.sha256, r, pixels);
  }
  return 'detected';
}

async function transformFor(work: string, c: HandoffCrop = crop): Promise<CacheTransform> {
  return { centerCrop: c.centerCrop, height: c.height, width: c.width, faceCrop: await readFaceCrop(work, root, c.faceCrop) };
}

/** The store of `inputs` built in a work folder of its own, from the handoff there when `handoff`. */
async function store(work: string, t: CacheTransform, handoff: boolean, log: string[] = []) {
  const h = handoff ? await openCropHandoff(work, t, (l) => log.push(l)) : null;
  try {
    const failed: string[] = [];
    const r = await ensureImageStore(work, 'train', inputs, t, { root, quiet: true, handoff: h, onFailure: (inp) => failed.push(inp.id) });
    return { sha: r.index.pixelsSha256, handedOver: r.handedOver, failed, opened: h !== null };
  } finally {
    await h?.close();
  }
}

let n = 0;
async function work(recs = records()): Promise<string> {
  const w = join(dir, `work-${n++}`);
  await writeDetections(w, recs);
  return w;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facemask-crop-handoff-'));
  root = join(dir, 'data');
  await mkdir(join(root, 'eval', 'images'), { recursive: true });
  inputs = [];
  for (let i = 0; i < 4; i++) {
    const path = `eval/images/${i}.png`;
    await noisePhoto(join(root, path), i + 1);
    inputs.push({ id: `${i}`, path, sha256: await sha256OfFile(join(root, path)) });
  }
  // a photo that decodes through corrupt data: no crop handed over, preprocess refuses it itself
  const full = await sharp(join(root, inputs[0]!.path)).jpeg().toBuffer();
  await writeFile(join(root, 'eval/images/cut.jpg'), corruptSecondHalf(full));
  inputs.push({ id: 'cut', path: 'eval/images/cut.jpg', sha256: await sha256OfFile(join(root, 'eval/images/cut.jpg')) });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the crop handoff from detect to the image cache', () => {
  it('builds the store preprocess builds by decoding, pixel for pixel, without decoding a photo it holds', async () => {
    const withCut = [...records(), { path: 'eval/images/cut.jpg', width: W, height: H, faces: [face(2, 2, 20)] }];
    const handed = await work(withCut);
    const built = await buildCropHandoff(handed, crop, (add) => detectPass(withCut, add));
    expect(built).toEqual({ result: 'detected', handoff: { photos: 4 } });

    const decoded = await store(await work(withCut), await transformFor(handed), false);
    const taken = await store(handed, await transformFor(handed), true);
    expect(taken.opened).toBe(true);
    expect(taken.sha).toBe(decoded.sha);
    expect(taken.handedOver).toBe(4);
    expect(taken.failed).toEqual(['cut']);
    expect(decoded.failed).toEqual(['cut']);
  });

  it('takes a crop only where it is the one preprocess would cut: same options, record and photo', async () => {
    const handed = await work();
    await buildCropHandoff(handed, crop, (add) => detectPass(records(), add));
    const log: string[] = [];

    // another margin: none taken
    const wider = { ...crop, faceCrop: { ...crop.faceCrop, margin: 0.3 } };
    expect((await store(handed, await transformFor(handed, wider), true, log)).opened).toBe(false);
    // another size: none taken
    expect((await store(handed, { ...(await transformFor(handed)), height: 17 }, true, log)).opened).toBe(false);

    // the detections changed for one photo since (an older handoff): that photo is decoded
    const moved = records([FACES[0]!, [face(8, 8, 16)], FACES[2]!, FACES[3]!]);
    await writeDetections(handed, moved);
    const partly = await store(handed, await transformFor(handed), true, log);
    expect(partly.handedOver).toBe(3);
    const movedWork = await work(moved);
    expect(partly.sha).toBe((await store(movedWork, await transformFor(movedWork), false)).sha);
    expect(log).toEqual([]);
  });

  it('passes over a handoff whose pixels changed on disk, naming the file', async () => {
    const handed = await work();
    await buildCropHandoff(handed, crop, (add) => detectPass(records(), add));
    const { pixels } = workLayout.cropHandoff(handed);
    const bytes = await readFile(pixels);
    bytes[5] = bytes[5]! ^ 1;
    await writeFile(pixels, bytes);
    const log: string[] = [];
    const r = await store(handed, await transformFor(handed), true, log);
    expect(r.opened).toBe(false);
    expect(log).toEqual([expect.stringContaining(`${pixels} is not what detect wrote (other sha256)`)]);
    await removeCropHandoff(handed);
    await expect(stat(workLayout.cropHandoff(handed).dir)).rejects.toThrow(/ENOENT/);
  });

  it('never fails the detection pass: a handoff that cannot be written is reported, the pass stands', async () => {
    const blocked = await work();
    // .cache is a file: no folder can be made under it
    await writeFile(join(blocked, '.cache'), 'in the way');
    const r = await buildCropHandoff(blocked, crop, (add) => detectPass(records(), add));
    expect(r.result).toBe('detected');
    expect(r.handoff).toEqual({ failed: expect.stringMatching(/ENOTDIR|EEXIST/) });

    // a pass that fails is the run's error, and leaves no handoff behind
    const failing = await work();
    await expect(buildCropHandoff(failing, crop, async (add) => (await detectPass(records(), add), Promise.reject(new Error('engine died'))))).rejects.toThrow('engine died');
    await expect(stat(workLayout.cropHandoff(failing).dir)).rejects.toThrow(/ENOENT/);
  });
});
