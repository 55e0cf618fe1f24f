import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readCsv } from '@facemask/contracts';
import { selectBackend } from '@facemask/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceDetector } from './detector.ts';
import { DEFAULT_DETECT_OPTIONS, parseDetectOptions } from './options.ts';
import { createNodeDetector } from './node/modules.ts';
import type { Box } from './record.ts';
import { coverage, matchesSquare } from './score.ts';
import { cropOptionsSchema, cropRegion, faceSquare } from './geometry.ts';
import { pasteFace, realfacesDevWide, wall } from './test-utils/shared.ts';

const wide = realfacesDevWide();
const hasShared = existsSync(join(wide, 'face_boxes.csv'));

let detector: FaceDetector;
beforeAll(async () => {
  await selectBackend({ log: () => {} });
  detector = await createNodeDetector(parseDetectOptions(DEFAULT_DETECT_OPTIONS));
});
afterAll(() => detector?.dispose());

async function truthOf(path: string): Promise<Box> {
  const row = (await readCsv(join(wide, 'face_boxes.csv'), ['path', 'x', 'y', 'width', 'height'])).find((r) => r.path === path);
  if (!row) throw new Error(`${path} not in face_boxes.csv`);
  return { x: Number(row.x), y: Number(row.y), width: Number(row.width), height: Number(row.height) };
}

describe('detector (default options)', () => {
  it('a plain wall has no face', async () => {
    expect(await detector.detect(wall(384, 512, [182, 170, 150], 1))).toEqual([]);
    expect(await detector.detect(wall(640, 480, [90, 110, 140], 2))).toEqual([]);
  });

  it.skipIf(!hasShared)('a face pasted at a known place: a box inside the photo around it, in every mask state', async () => {
    for (const kind of ['normal', 'mask2', 'incorrect_mask']) {
      const path = `train/images/000026_male_Asian_55/${kind}.jpg`;
      const to = { x: 300, y: 90, width: 200, height: 200 };
      const img = await pasteFace(join(wide, path), await truthOf(path), wall(640, 480, [150, 160, 150], 3), to);
      const faces = await detector.detect(img);
      expect(faces.length, kind).toBe(1);
      const { box } = faces[0]!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(640);
      expect(box.y + box.height).toBeLessThanOrEqual(480);
      // on the face at its scale, and the default crop around it holds it
      expect(matchesSquare(faceSquare(faces[0]!), to), `${kind}: ${JSON.stringify(box)}`).toBe(true);
      const r = cropRegion({ width: 640, height: 480, faces }, cropOptionsSchema.parse({}));
      const crop = { x: r.cx - r.width / 2, y: r.cy - r.height / 2, width: r.width, height: r.height };
      expect(coverage(crop, to), kind).toBeGreaterThanOrEqual(0.9);
      expect((to.width * to.height) / (crop.width * crop.height), kind).toBeGreaterThanOrEqual(0.25);
    }
  });

  it.skipIf(!hasShared)('a face at the photo edge gives a box cut to the photo', async () => {
    const path = 'train/images/000026_male_Asian_55/normal.jpg';
    const to = { x: 0, y: 40, width: 220, height: 220 };
    const img = await pasteFace(join(wide, path), await truthOf(path), wall(384, 512, [200, 190, 180], 4), to);
    const [f] = await detector.detect(img);
    expect(f).toBeDefined();
    expect(f!.box.x).toBeGreaterThanOrEqual(0);
    expect(f!.box.x + f!.box.width).toBeLessThanOrEqual(384);
  });

  it.skipIf(!hasShared)("face-api's SSD with the 68-point landmark net: eyes in the upper half of the face, left of right", async () => {
    const ssd = await createNodeDetector(parseDetectOptions({ detectors: [{ name: 'ssd' }], landmarks: true }));
    try {
      const path = 'train/images/000026_male_Asian_55/normal.jpg';
      const to = { x: 120, y: 150, width: 200, height: 200 };
      const img = await pasteFace(join(wide, path), await truthOf(path), wall(480, 480, [150, 160, 150], 6), to);
      const [f] = await ssd.detect(img);
      expect(f?.detector).toBe('ssd');
      expect(f?.landmarks).toHaveLength(68);
      const { left, right } = f!.eyes!;
      expect(left.x).toBeLessThan(right.x);
      for (const e of [left, right]) {
        expect(e.x).toBeGreaterThan(to.x);
        expect(e.x).toBeLessThan(to.x + to.width);
        expect(e.y).toBeGreaterThan(to.y);
        expect(e.y).toBeLessThan(to.y + to.height / 2);
      }
    } finally {
      ssd.dispose();
    }
  });

  it.skipIf(!hasShared)('minFaceSize: a face smaller than that share of the photo counts as no face', async () => {
    const path = 'train/images/000026_male_Asian_55/normal.jpg';
    const to = { x: 150, y: 150, width: 140, height: 140 };
    const img = await pasteFace(join(wide, path), await truthOf(path), wall(480, 480, [150, 160, 150], 8), to);
    const found = await detector.detect(img);
    expect(found).toHaveLength(1);
    // the box's shorter side against the photo's 480 px: a limit just above it drops the face
    const share = Math.min(found[0]!.box.width, found[0]!.box.height) / 480;
    const strict = await createNodeDetector(parseDetectOptions({ minFaceSize: share + 0.02 }));
    const loose = await createNodeDetector(parseDetectOptions({ minFaceSize: share - 0.02 }));
    try {
      expect(await strict.detect(img)).toEqual([]);
      expect(await loose.detect(img)).toEqual(found);
    } finally {
      strict.dispose();
      loose.dispose();
    }
  });

  it.skipIf(!hasShared)('a cascade: the next detector answers when the first finds nothing', async () => {
    const path = 'train/images/000026_male_Asian_55/mask2.jpg';
    const to = { x: 100, y: 100, width: 180, height: 180 };
    const img = await pasteFace(join(wide, path), await truthOf(path), wall(400, 400, [170, 150, 150], 7), to);
    const strict = await createNodeDetector(parseDetectOptions({ detectors: [{ name: 'blazeface', minScore: 0.99 }] }));
    const cascade = await createNodeDetector(parseDetectOptions({ detectors: [{ name: 'blazeface', minScore: 0.99 }, { name: 'blazeface', minScore: 0.2 }] }));
    try {
      expect(await strict.detect(img)).toEqual([]);
      const faces = await cascade.detect(img);
      expect(faces).toHaveLength(1);
      expect(faces[0]!.score).toBeLessThan(0.99);
      expect(faces[0]!.score).toBeGreaterThanOrEqual(0.2);
    } finally {
      strict.dispose();
      cascade.dispose();
    }
  });

  it('rejects pixels that are not RGB', async () => {
    await expect(detector.detect({ data: new Uint8Array(4 * 4 * 4), width: 4, height: 4 })).rejects.toThrow(/expected 48 \(RGB/);
  });

  it('leaves no tensors behind', async () => {
    const img = wall(384, 512, [120, 130, 140], 5);
    await detector.detect(img);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await detector.detect(img);
    expect(tf.memory().numTensors).toBe(before);
  });
});
