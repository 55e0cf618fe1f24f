import { open, stat } from 'node:fs/promises';
import sharp from 'sharp';

/**
 * Photo files to RGB pixels, the one decoder of the project: the image cache (preprocess) and the
 * face detector (face-detect) read every photo through it, so they agree on pixels, coordinates
 * and on why a photo is refused. Node only (sharp).
 */

export interface DecodedPhoto {
  data: Uint8Array;
  height: number;
  width: number;
}

/** What to do about a photo that does not decode (the usual case: it is damaged). */
export const PHOTO_FIX = 'replace it with a readable JPEG/PNG or delete it (and its person if no longer complete)';

/** Why a photo could not be used and what to do about it, phrased for the user. */
export class PhotoError extends Error {
  constructor(
    message: string,
    readonly fix: string = PHOTO_FIX,
  ) {
    super(message);
    this.name = 'PhotoError';
  }
}

/**
 * sharp's default cap (0x3FFF squared): one such photo decodes to 805 MB of RGB. Pillow, which the
 * reference pipeline uses, is stricter still (it refuses above 179 megapixels).
 */
export const MAX_PIXELS = 0x3fff * 0x3fff;

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
    // Fail only on truncation, like Pillow (whose default also refuses a file cut short): libjpeg's
    // warnings about corrupt data (a misnumbered restart marker, odd scan parameters) are decoded
    // through there, and camera files carry them.
    out = await sharp(path, { failOn: 'truncated', limitInputPixels: MAX_PIXELS })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    const msg = (err as Error).message.replace(/\s+/g, ' ').trim();
    if (/exceeds pixel limit/.test(msg)) throw await tooLarge(path);
    // libvips words the same truncation differently depending on where its reader stops, so the
    // file's own end marker decides as well.
    if (/premature end|truncat|end of (file|input)/i.test(msg) || (await lacksEndMarker(path, size))) {
      throw new PhotoError(`truncated image (${msg})`);
    }
    throw new PhotoError(`corrupt or not an image (${msg})`);
  }
  const { width, height, channels } = out.info;
  if (channels !== 3) throw new PhotoError(`decoded to ${channels} channels, expected 3`);
  return { data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length), height, width };
}

/** The header alone says how large the photo is; reading it sets no limit. */
async function tooLarge(path: string): Promise<PhotoError> {
  const { width = 0, height = 0 } = await sharp(path, { limitInputPixels: false }).metadata();
  const mp = (n: number) => (n / 1e6).toFixed(1);
  return new PhotoError(
    `too large to decode: ${width}x${height} pixels (${mp(width * height)} megapixels), over the limit of ${mp(MAX_PIXELS)} megapixels`,
    "downscale it (the competition's photos are 384x512; the cache is smaller still) or delete it",
  );
}
