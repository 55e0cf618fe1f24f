import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { withStoredOrientation } from './exif.ts';

const photo = async (orientation: number) => {
  const raw = Buffer.alloc(40 * 20 * 3, 0);
  for (let i = 0; i < raw.length; i += 3) raw[i] = (i / 3) % 40 < 20 ? 250 : 0;
  return new Uint8Array(await sharp(raw, { raw: { width: 40, height: 20, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation }).toBuffer());
};

describe('withStoredOrientation', () => {
  it('sets the EXIF orientation to 1 and leaves every other byte alone', async () => {
    for (const o of [3, 6, 8]) {
      const jpg = await photo(o);
      expect((await sharp(jpg).metadata()).orientation).toBe(o);
      const fixed = withStoredOrientation(jpg);
      expect((await sharp(fixed).metadata()).orientation).toBe(1);
      expect(fixed.length).toBe(jpg.length);
      expect(fixed.filter((v, i) => v !== jpg[i]).length).toBe(1);
      // sharp decodes both to the same stored pixels (it does not turn either).
      expect(Buffer.compare(await sharp(fixed).raw().toBuffer(), await sharp(jpg).raw().toBuffer())).toBe(0);
    }
  });

  it('returns other files as they are', async () => {
    const png = new Uint8Array(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } }).png().toBuffer());
    expect(withStoredOrientation(png)).toBe(png);
    const plain = new Uint8Array(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } }).jpeg().toBuffer());
    expect(withStoredOrientation(plain)).toBe(plain);
    const cut = (await photo(6)).slice(0, 30);
    expect(() => withStoredOrientation(cut)).not.toThrow();
  });
});
