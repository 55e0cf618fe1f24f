import { open, stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { RgbImage } from '../image.ts';

/**
 * Why a photo could not be used, worded as preprocess words it (packages/preprocess/src/decode.ts)
 * and naming the file, so the stage can report it the same way.
 */
export class PhotoError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}. Fix: replace it with a readable JPEG/PNG or delete it`);
    this.name = 'PhotoError';
  }
}

/** A JPEG without its EOI marker or a PNG without its IEND chunk: the file was cut short. */
async function lacksEndMarker(path: string, size: number): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    await fh.read(head, 0, 8, 0);
    const tail = Buffer.alloc(Math.min(12, size));
    await fh.read(tail, 0, tail.length, size - tail.length);
    if (head[0] === 0xff && head[1] === 0xd8) return !(tail[tail.length - 2] === 0xff && tail[tail.length - 1] === 0xd9);
    if (head.toString('latin1', 1, 4) === 'PNG') return !tail.includes('IEND', 0, 'latin1');
    return false;
  } finally {
    await fh.close();
  }
}

/**
 * Decodes a photo file to RGB exactly as the image cache does (alpha dropped, grey and CMYK to
 * sRGB, no EXIF rotation: torchvision does not rotate either), so boxes found here are in the
 * cache's pixel coordinates.
 */
export async function decodePhotoFile(path: string): Promise<RgbImage> {
  let size: number;
  try {
    ({ size } = await stat(path));
  } catch (err) {
    throw new PhotoError(path, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (size === 0) throw new PhotoError(path, 'empty file (0 bytes)');
  let out: { data: Buffer; info: sharp.OutputInfo };
  try {
    out = await sharp(path, { failOn: 'warning' }).removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (err) {
    const msg = (err as Error).message.replace(/\s+/g, ' ').trim();
    if (/premature end|truncat|end of (file|input)/i.test(msg) || (await lacksEndMarker(path, size))) throw new PhotoError(path, `truncated image (${msg})`);
    throw new PhotoError(path, `corrupt or not an image (${msg})`);
  }
  const { width, height, channels } = out.info;
  if (channels !== 3) throw new PhotoError(path, `decoded to ${channels} channels, expected 3`);
  return { data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length), width, height };
}
