import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faceCropSchema } from '@facemask/contracts/detect';
import { thumbSize, writeThumbnail } from './thumbs.ts';

/** A 100x200 (w x h) photo: blue bands of 50 rows above and below a red 100x100 centre. */
async function banded(dir: string): Promise<string> {
  const path = join(dir, 'banded.png');
  const px = Buffer.alloc(100 * 200 * 3);
  for (let y = 0; y < 200; y++) {
    for (let x = 0; x < 100; x++) {
      const i = (y * 100 + x) * 3;
      const centre = y >= 50 && y < 150;
      px[i] = centre ? 220 : 0;
      px[i + 2] = centre ? 0 : 220;
    }
  }
  await sharp(px, { raw: { width: 100, height: 200, channels: 3 } }).png().toFile(path);
  return path;
}

async function meanColour(path: string): Promise<{ r: number; b: number; width: number; height: number }> {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  let r = 0;
  let b = 0;
  for (let i = 0; i < data.length; i += info.channels) {
    r += data[i]!;
    b += data[i + 2]!;
  }
  const n = data.length / info.channels;
  return { r: r / n, b: b / n, width: info.width, height: info.height };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'thumbs-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('thumbSize', () => {
  it('keeps the cache aspect with the long side at 192', () => {
    expect(thumbSize({ width: 64, height: 64 })).toEqual({ width: 192, height: 192 });
    expect(thumbSize({ width: 96, height: 128 })).toEqual({ width: 144, height: 192 });
  });
});

describe('writeThumbnail', () => {
  it('centre-crops like the cache: CenterCrop(100) of a 100x200 photo keeps only the red middle', async () => {
    const photo = await banded(dir);
    const out = join(dir, 'crop.jpg');
    expect(await writeThumbnail(photo, out, { centerCrop: 100, width: 32, height: 32 })).toEqual({ width: 192, height: 192 });
    const c = await meanColour(out);
    expect([c.width, c.height]).toEqual([192, 192]);
    expect(c.r).toBeGreaterThan(200);
    expect(c.b).toBeLessThan(20);
  });

  it('without a crop the whole photo is resized, blue bands included', async () => {
    const out = join(dir, 'whole.jpg');
    await writeThumbnail(await banded(dir), out, { centerCrop: null, width: 32, height: 32 });
    const c = await meanColour(out);
    // half the area is blue, half red
    expect(c.r).toBeGreaterThan(90);
    expect(c.r).toBeLessThan(130);
    expect(c.b).toBeGreaterThan(90);
  });

  it("with a face crop, frames the recorded face as the image cache did, not the centre", async () => {
    const photo = await banded(dir);
    // the face recorded in the top blue band: the centre crop would show the red middle
    const record = { path: 'banded.png', width: 100, height: 200, faces: [{ box: { x: 30, y: 5, width: 30, height: 30 }, score: 0.9, detector: 'blazeface' as const }] };
    const faceCrop = { options: faceCropSchema.parse({ margin: 0.1, square: false }), detectionsHash: 'test', records: new Map([[photo, record]]) };
    const out = join(dir, 'face.jpg');
    await writeThumbnail(photo, out, { centerCrop: 100, width: 32, height: 32, faceCrop });
    const c = await meanColour(out);
    expect(c.b).toBeGreaterThan(200);
    expect(c.r).toBeLessThan(20);
    // a photo without a recorded face falls back to the centre crop, as in the cache
    await writeThumbnail(photo, out, { centerCrop: 100, width: 32, height: 32, faceCrop: { ...faceCrop, records: new Map() } });
    expect((await meanColour(out)).r).toBeGreaterThan(200);
  });

  it('fails on a missing photo', async () => {
    await expect(writeThumbnail('/nonexistent/photo.jpg', '/tmp/x.jpg', { centerCrop: null, width: 8, height: 8 })).rejects.toThrow();
  });
});
