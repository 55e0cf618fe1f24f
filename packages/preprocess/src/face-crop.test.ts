import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { decodePhoto } from '@facemask/augment/decode';
import {
  dataFile,
  detectionsArtifact,
  imageCacheIndexArtifact,
  readArtifact,
  readEvalList,
  readSamples,
  sha256OfFile,
  stageHandoff,
  workLayout,
  writeArtifact,
  type DetectionRecord,
  type DetectionsInput,
  type Face,
} from '@facemask/contracts';
import { afterDetect, buildCropHandoff, openImageCache } from '@facemask/image-cache';
import { PreprocessError } from './issues.ts';
import { fixtureConfig, makeFixture, makePeople, PHOTO_H, PHOTO_W, preprocessWith, type Fixture } from './test-utils/fixture.ts';

/*
 * The image cache's face crop on photos whose halves differ (red left, blue right, PNG so the
 * colours are exact): a crop around a face in the right half is all blue, in the left half all red,
 * and a photo without a face gets the centre crop's pixels.
 */
let f: Fixture;
afterEach(() => f?.cleanup());

const RED = [255, 0, 0];
const BLUE = [0, 0, 255];
const face = (x: number, y: number, side: number): Face => ({ box: { x, y, width: side, height: side }, score: 0.9, detector: 'blazeface' });
/** The detector's own box plus 20% a side: a 10 px box gives a 14 px region. */
const crop = { margin: 0.2, square: false } as const;

async function halves(file: string): Promise<void> {
  const px = Buffer.alloc(PHOTO_W * PHOTO_H * 3);
  for (let y = 0; y < PHOTO_H; y++) for (let x = 0; x < PHOTO_W; x++) px.set(x < PHOTO_W / 2 ? RED : BLUE, (y * PHOTO_W + x) * 3);
  await writeFile(file, await sharp(px, { raw: { width: PHOTO_W, height: PHOTO_H, channels: 3 } }).png().toBuffer());
}

const trainFile = (person: number, kind: string) => join(f.root, 'train', 'images', f.folderOf(f.people[person]!), `${kind}.jpg`);
const rel = (file: string) => file.slice(f.root.length + 1);

/** Detections for every photo of the fixture: a face in the middle, unless `faces` says otherwise (null: no record). */
async function writeDetections(faces: Map<string, Face[] | null>, over: Partial<DetectionsInput> = {}): Promise<void> {
  const files = [
    ...f.people.flatMap((_, i) => ['mask1', 'mask2', 'mask3', 'mask4', 'mask5', 'incorrect_mask', 'normal'].map((k) => trainFile(i, k))),
    ...f.evalIds.map((id) => join(f.root, 'eval', 'images', id)),
  ];
  const records: DetectionRecord[] = [];
  for (const file of files) {
    const given = faces.get(file);
    if (given === null) continue;
    records.push({ path: rel(file), width: PHOTO_W, height: PHOTO_H, faces: given ?? [face(11, 19, 10)] });
  }
  const models = [{ detector: 'blazeface' as const, package: '@vladmandic/human', version: '3.3.6', files: [{ path: 'models/blazeface.json', sha256: '0'.repeat(64) }] }];
  await writeArtifact(detectionsArtifact, workLayout.detect(f.work).detections, {
    options: {},
    models,
    backend: 'wasm',
    records,
    failures: [],
    ...over,
  });
}

/** The cached pixels of a train photo (by file) or an eval image (by ImageID). */
async function cached(split: 'train' | 'eval', key: string): Promise<Uint8Array> {
  const index =
    split === 'train'
      ? (await readSamples(f.work)).samples.find((s) => dataFile(f.root, s.path) === key)!.cacheIndex
      : (await readEvalList(f.work)).images.find((i) => i.ImageID === key)!.cacheIndex;
  const cache = await openImageCache(f.work, split, { root: f.root });
  try {
    return await cache.read([index]);
  } finally {
    await cache.close();
  }
}

const solid = (px: Uint8Array, rgb: number[]) => px.every((v, i) => v === rgb[i % 3]);

describe('the face crop of the image cache', () => {
  it('crops around the face, falls back to the centre crop where none was found, and counts the fallbacks per kind', async () => {
    f = await makeFixture(makePeople(6), 4);
    const [right, left, none] = [trainFile(0, 'mask1'), trainFile(0, 'mask2'), trainFile(0, 'normal')];
    for (const file of [right, left, none]) await halves(file);
    const unrecorded = join(f.root, 'eval', 'images', f.evalIds[0]!);
    await writeDetections(new Map([[right, [face(20, 10, 10)]], [left, [face(2, 20, 10)]], [none, []], [unrecorded, null]]));

    const r = await preprocessWith(fixtureConfig(f, { faceCrop: crop }), { quiet: true });
    // right: region 14 px about (25, 15), x 18..32: blue only; left: about (7, 25), x 0..14: red only
    expect(solid(await cached('train', right), BLUE)).toBe(true);
    expect(solid(await cached('train', left), RED)).toBe(true);
    const fallback = await cached('train', none);
    expect(solid(fallback, RED) || solid(fallback, BLUE)).toBe(false);

    expect(r.summary.cache.faceCrop).toEqual({
      options: { margin: 0.2, square: false, align: 'none', border: 'shift' },
      fallbacks: {
        mask1: { photos: 6, fallbacks: 0 },
        mask2: { photos: 6, fallbacks: 0 },
        mask3: { photos: 6, fallbacks: 0 },
        mask4: { photos: 6, fallbacks: 0 },
        mask5: { photos: 6, fallbacks: 0 },
        incorrect_mask: { photos: 6, fallbacks: 0 },
        normal: { photos: 6, fallbacks: 1 },
        eval: { photos: 4, fallbacks: 1 },
      },
      unrecorded: 1,
    });
    expect(r.report).toMatch(/normal 1\/6, eval 1\/4/);
    expect(r.report).toMatch(/1 cached photo\(s\) have no detection record/);

    // without a face crop, the same photos: the fallbacks are exactly the centre crop's pixels
    const centre = await preprocessWith(fixtureConfig(f), { quiet: true });
    expect(centre.summary.cache.faceCrop).toBeNull();
    expect(await cached('train', none)).toEqual(fallback);
    expect(solid(await cached('train', right), BLUE)).toBe(false);
  });

  it('reuses the cache for the same crop and detections, rebuilds it when either changes', async () => {
    f = await makeFixture(makePeople(3), 2);
    await writeDetections(new Map());
    const reused = async (faceCrop: object) => (await preprocessWith(fixtureConfig(f, { faceCrop }), { quiet: true })).reused.train;
    expect(await reused(crop)).toBe(false);
    expect(await reused(crop)).toBe(true);
    expect(await reused({ ...crop, margin: 0.3 })).toBe(false);
    expect(await reused({ ...crop, margin: 0.3 })).toBe(true);
    await writeDetections(new Map([[trainFile(1, 'mask3'), [face(5, 5, 12)]]]));
    expect(await reused({ ...crop, margin: 0.3 })).toBe(false);
  });

  it('reports the crop the cache was built with: the face crop, the centre crop only where no face was found', async () => {
    f = await makeFixture(makePeople(3), 2);
    await writeDetections(new Map([[trainFile(0, 'normal'), []]]));
    const centerCrop = 24;
    const r = await preprocessWith(fixtureConfig(f, { faceCrop: crop, centerCrop }), { quiet: true });
    const lines = r.report.split('\n');
    const cacheLine = lines.find((l) => l.trimStart().startsWith('image cache'))!;
    expect(cacheLine).toContain(`face crop: margin ${crop.margin}, box`);
    expect(cacheLine).not.toMatch(/cent(re|er) crop/);
    expect(lines[lines.indexOf(cacheLine) + 1]).toContain(`centre crop ${centerCrop} where no face was found`);
    // without a face crop the centre crop is the cache's crop
    const centre = await preprocessWith(fixtureConfig(f, { centerCrop }), { quiet: true });
    expect(centre.report).toContain(`(centre crop ${centerCrop})`);
    expect(centre.report).not.toContain('face crop');
  });

  it('gives a photo that does not decode the same error as the centre crop does', async () => {
    f = await makeFixture(makePeople(4), 2);
    const bad = trainFile(1, 'mask4');
    await writeFile(bad, (await readFile(bad)).subarray(0, 200));
    // the detect stage could not decode it either: no record, a failure
    await writeDetections(new Map([[bad, null]]), { failures: [{ path: rel(bad), reason: 'truncated image (...)' }] });
    const error = (faceCrop: object | null) => preprocessWith(fixtureConfig(f, { faceCrop, folds: 2 }), { quiet: true }).then(() => null, (e: unknown) => e as PreprocessError);
    const withFace = await error(crop);
    const centre = await error(null);
    expect(withFace).toBeInstanceOf(PreprocessError);
    expect(withFace!.message).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: truncated image .*\\. Fix: replace it with a readable JPEG/PNG or delete it`));
    expect(withFace!.message).toBe(centre!.message);
    // skipped: left out of the cache and of the fallback counts
    const skip = await preprocessWith(fixtureConfig(f, { faceCrop: crop, folds: 2, onBadInput: 'skip' }), { quiet: true });
    expect(skip.summary.skipped.map((s) => s.path)).toEqual([rel(bad)]);
    expect(skip.summary.cache.faceCrop!.fallbacks.mask4).toEqual({ photos: 3, fallbacks: 0 });
    expect(skip.summary.cache.faceCrop!.unrecorded).toBe(0);
  });

  it("takes the crops detect cut from its own decode instead of decoding again, says so, and removes them", async () => {
    f = await makeFixture(makePeople(3), 2);
    for (const kind of ['mask1', 'mask2', 'normal']) await halves(trainFile(0, kind));
    await writeDetections(new Map([[trainFile(0, 'mask1'), [face(20, 10, 10)]], [trainFile(0, 'mask2'), [face(2, 20, 10)]]]));
    const cfg = fixtureConfig(f, { faceCrop: crop });
    // what detect's pass hands over (its workers call afterDetect on each photo they decoded)
    const handoff = stageHandoff(cfg, 'detect')!;
    const { records } = await readArtifact(detectionsArtifact, workLayout.detect(f.work).detections);
    await buildCropHandoff(f.work, handoff, async (add) => {
      for (const r of records) {
        const file = dataFile(f.root, r.path);
        add(r.path, await sha256OfFile(file), r, afterDetect(await decodePhoto(file), { ...r, path: file }, file, handoff)!);
      }
    });
    const r = await preprocessWith(cfg, { quiet: true });
    expect(r.handedOver).toEqual({ train: 21, eval: 2 });
    expect(r.report).toMatch(/train 21 built \(21 crops from detect's decode\), eval 2 built \(2 crops from detect's decode\)/);
    await expect(stat(workLayout.cropHandoff(f.work).dir)).rejects.toThrow(/ENOENT/);
    expect(solid(await cached('train', trainFile(0, 'mask1')), BLUE)).toBe(true);

    // the same pixels as decoding every photo: with the stores gone, a rerun decodes and builds the same
    const sha = (split: 'train' | 'eval') => readArtifact(imageCacheIndexArtifact, workLayout.imageCache(workLayout.preprocess(f.work).dir, split).index).then((i) => i.pixelsSha256);
    const before = [await sha('train'), await sha('eval')];
    await rm(workLayout.imageStores(f.work), { recursive: true });
    const again = await preprocessWith(cfg, { quiet: true });
    expect(again.handedOver).toEqual({ train: 0, eval: 0 });
    expect(again.report).toMatch(/train 21 built, eval 2 built/);
    expect([await sha('train'), await sha('eval')]).toEqual(before);
  });

  // Detections name photos relative to the data root, whichever root they were found in (Nx reruns
  // detect when the root's content changes): what is refused is a photo that changed since.
  it('refuses detections of photos that changed since, or none at all', async () => {
    f = await makeFixture(makePeople(2), 1);
    const run = () => preprocessWith(fixtureConfig(f, { faceCrop: crop, folds: 2 }), { quiet: true });
    await expect(run()).rejects.toThrow(/detect\/detections artifact not found at .*: run `nx run detect:run` first/);
    await writeDetections(new Map());
    const grown = trainFile(0, 'mask1');
    await writeFile(grown, await sharp({ create: { width: 40, height: 48, channels: 3, background: '#808080' } }).jpeg().toBuffer());
    await expect(run()).rejects.toThrow(/mask1\.jpg is 40x48 but was 32x48 when its faces were found \(it changed since\): rerun `nx run detect:run`/);
  });
});
