import { open, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { CACHE_CHANNELS, transformPhoto, type CacheTransform, type DecodedPhoto } from './transform.ts';

/** Why a photo could not be used, phrased for the user. */
export class PhotoError extends Error {
  constructor(message: string) {
    super(message);
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
 * Decodes to uint8 RGB HWC like PIL's Image.open(f).convert('RGB'): alpha dropped, grey and CMYK
 * converted to sRGB, no EXIF rotation (torchvision does not rotate either).
 */
export async function decodePhoto(path: string): Promise<DecodedPhoto> {
  const { size } = await stat(path);
  if (size === 0) throw new PhotoError('empty file (0 bytes)');
  let out: { data: Buffer; info: sharp.OutputInfo };
  try {
    out = await sharp(path, { failOn: 'warning' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    const msg = (err as Error).message.replace(/\s+/g, ' ').trim();
    // libvips words the same truncation differently depending on where its reader stops, so the
    // file's own end marker decides as well.
    if (/premature end|truncat|end of (file|input)/i.test(msg) || (await lacksEndMarker(path, size))) {
      throw new PhotoError(`truncated image (${msg})`);
    }
    throw new PhotoError(`corrupt or not an image (${msg})`);
  }
  const { width, height, channels } = out.info;
  if (channels !== CACHE_CHANNELS) throw new PhotoError(`decoded to ${channels} channels, expected 3`);
  return { data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length), height, width };
}

export async function loadPhoto(path: string, t: CacheTransform): Promise<Uint8Array> {
  return transformPhoto(await decodePhoto(path), t);
}
