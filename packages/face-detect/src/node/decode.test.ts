import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHOTO_FIX } from '@facemask/augment/decode';
import { decodePhotoFile, PhotoError } from './decode.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'face-detect-decode-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function failure(file: string, fix = PHOTO_FIX): Promise<PhotoError> {
  const err = await decodePhotoFile(file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PhotoError);
  const e = err as PhotoError;
  expect(e.file).toBe(file);
  expect(e.message.startsWith(`${file}: `)).toBe(true);
  expect(e.message.endsWith(`Fix: ${fix}`)).toBe(true);
  expect(e.message.includes('\n')).toBe(false);
  return e;
}

describe('decodePhotoFile', () => {
  it('decodes RGB, dropping alpha, without EXIF rotation', async () => {
    const file = join(dir, 'rgba.png');
    // 3 wide, 2 high, red with alpha; EXIF orientation 6 would rotate it to 2x3 if applied.
    await sharp({ create: { width: 3, height: 2, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.5 } } })
      .withMetadata({ orientation: 6 })
      .png()
      .toFile(file);
    const img = await decodePhotoFile(file);
    expect([img.width, img.height, img.data.length]).toEqual([3, 2, 18]);
    expect([...img.data.subarray(0, 3)]).toEqual([255, 0, 0]);
  });

  it('a corrupt file names the file', async () => {
    const file = join(dir, 'corrupt.jpg');
    await writeFile(file, 'GIF89a this is not what it claims to be');
    expect((await failure(file)).reason).toMatch(/^corrupt or not an image \(/);
  });

  it('a truncated JPEG', async () => {
    const good = join(dir, 'good.jpg');
    await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 9, g: 99, b: 199 } } }).jpeg().toFile(good);
    const bytes = await readFile(good);
    const file = join(dir, 'truncated.jpg');
    await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect((await failure(file)).reason).toMatch(/^truncated image/);
  });

  it('an empty file', async () => {
    const file = join(dir, 'empty.jpg');
    await writeFile(file, '');
    expect((await failure(file)).reason).toBe('empty file (0 bytes)');
  });

  it('a missing file', async () => {
    expect((await failure(join(dir, 'nope.jpg'), 'check the path and its permissions')).reason).toMatch(/cannot read \(ENOENT\)/);
  });
});
