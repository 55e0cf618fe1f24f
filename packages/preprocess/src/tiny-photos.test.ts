import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoSize } from './tiny-photos.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'photo-size-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('photoSize', () => {
  it('reads the size from the header of a PNG, a JPEG and a JPEG with EXIF, as sharp decodes it', async () => {
    const image = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#336699' } });
    const files: [string, Buffer][] = [
      ['a.png', await image(37, 5).png().toBuffer()],
      ['b.jpg', await image(1, 1).jpeg().toBuffer()],
      ['c.jpg', await image(300, 41).jpeg({ progressive: true }).withMetadata({ orientation: 6 }).toBuffer()],
    ];
    for (const [name, bytes] of files) {
      await writeFile(join(dir, name), bytes);
      const m = await sharp(bytes).metadata();
      expect(await photoSize(join(dir, name)), name).toEqual({ width: m.width, height: m.height });
    }
  });

  it('gives null for a file that is neither', async () => {
    await writeFile(join(dir, 'x.jpg'), 'not a photo at all');
    expect(await photoSize(join(dir, 'x.jpg'))).toBeNull();
  });
});
