import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePhotoFile, PhotoError as DetectPhotoError } from '@facemask/face-detect/node';
import { decodePhoto, PhotoError as CachePhotoError } from '@facemask/image-cache';

/*
 * Detection and the image cache decode each photo with their own code (the detectors run in worker
 * threads); a photo must fail both the same way, so the reason detect records is the one preprocess
 * stops or skips with.
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detect-bad-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function reasons(file: string): Promise<[string | null, string | null]> {
  const detect = await decodePhotoFile(file).then(
    () => null,
    (e: unknown) => (e instanceof DetectPhotoError ? e.reason : `not a PhotoError: ${String(e)}`),
  );
  const cache = await decodePhoto(file).then(
    () => null,
    (e: unknown) => (e instanceof CachePhotoError ? e.message : `not a PhotoError: ${String(e)}`),
  );
  return [detect, cache];
}

describe('a bad photo', () => {
  it('fails detection and the image cache with the same reason', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#a08070' } }).jpeg().toBuffer();
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#a08070' } }).png().toBuffer();
    const cases: Record<string, Buffer | string> = {
      'empty.jpg': '',
      'corrupt.jpg': 'GIF89a this is not what it claims to be',
      'truncated.jpg': jpeg.subarray(0, jpeg.length >> 1),
      'truncated.png': png.subarray(0, png.length - 20),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      const file = join(dir, name);
      await writeFile(file, bytes);
      const [detect, cache] = await reasons(file);
      expect(detect, name).not.toBeNull();
      expect(detect, name).toBe(cache);
    }
    // and a good one decodes to the same pixels in both
    const good = join(dir, 'good.jpg');
    await writeFile(good, jpeg);
    const [a, b] = [await decodePhotoFile(good), await decodePhoto(good)];
    expect([a.width, a.height]).toEqual([b.width, b.height]);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
  });
});
