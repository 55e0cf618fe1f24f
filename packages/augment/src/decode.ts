import { open, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { exclusive, shared } from './decode-gate.ts';

/**
 * Photo files to RGB pixels, the one decoder of the project: the image cache (preprocess) and the
 * face detector (face-detect) read every photo through it, so they agree on pixels, coordinates
 * and on why a photo is refused. Node only (sharp).
 */

export interface DecodedPhoto {
  data: Uint8Array;
  height: number;
  width: number;
  /**
   * What libjpeg/libpng said about corrupt data it decoded through (e.g. "Corrupt JPEG data:
   * premature end of data segment"); absent for a clean photo. Each caller decides what a damaged
   * photo is worth: predict flags its answer, preprocess treats it as bad input.
   */
  corrupt?: string;
}

/**
 * The decoder's identity: another sharp or libvips build may round pixels differently, so a store
 * of what was computed from decoded pixels (the image cache's, the detections') keys on it.
 */
export const DECODER = `sharp ${sharp.versions.sharp} vips ${sharp.versions.vips}`;

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
  const decode = (failOn: 'warning' | 'truncated') =>
    sharp(path, { failOn, limitInputPixels: MAX_PIXELS })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  let out: { data: Buffer; info: sharp.OutputInfo };
  let corrupt: string | null = null;
  try {
    // sharp's 'warning' events come from one queue shared by every decode in flight, so under
    // concurrency they name the wrong photo; a strict decode's error is this photo's own.
    out = await shared(() => decode('warning'));
  } catch (strict) {
    try {
      // Fail only on truncation, like Pillow (whose default also refuses a file cut short):
      // libjpeg's warnings about corrupt data (a misnumbered restart marker, odd scan parameters)
      // are decoded through there, and camera files carry them. The strict decode's complaint
      // says the pixels may be damaged.
      out = await shared(() => decode('truncated'));
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
    corrupt = corruptionOf((strict as Error).message);
    if (!namesCause(corrupt)) corrupt = await causeAlone(decode, corrupt);
  }
  const { width, height, channels } = out.info;
  if (channels !== 3) throw new PhotoError(`decoded to ${channels} channels, expected 3`);
  const data = new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length);
  return corrupt === null ? { data, height, width } : { data, height, width, corrupt };
}

/**
 * libvips words a strict decode's refusal as libjpeg/libpng's warnings, one a line
 * ("VipsJpeg: Corrupt JPEG data: ..."), sometimes followed by a count ("read gave 1 warnings")
 * that says nothing the lines do not.
 */
export function corruptionOf(message: string): string {
  const said = message
    .split('\n')
    .map((w) => w.replace(/\s+/g, ' ').trim().replace(/^Vips\w+: /, ''))
    .filter((w) => w !== '' && !/^read gave \d+ warnings?$/.test(w));
  return said.length === 0 ? message.replace(/\s+/g, ' ').trim() : [...new Set(said)].join('; ');
}

/** libvips' own words around libjpeg/libpng's: they say a decode failed, not why. */
const GENERIC = [/^Warning treated as error due to failOn setting$/, /^error in tile \d+ x \d+$/];

/** Whether a corruption report names libjpeg/libpng's reason, not only libvips' wrapper. */
export function namesCause(report: string): boolean {
  return report.split('; ').some((line) => !GENERIC.some((g) => g.test(line)));
}

/**
 * The strict decode again with nothing else decoding: another decode in flight cleared the shared
 * error buffer. Retried because a sharp call outside decodePhoto may still run beside it.
 */
async function causeAlone(decode: (failOn: 'warning') => Promise<unknown>, lost: string): Promise<string | null> {
  return exclusive(async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await decode('warning');
        return null; // clean alone: the failure was a neighbour's warning, queued under this photo
      } catch (err) {
        const said = corruptionOf((err as Error).message);
        if (namesCause(said)) return said;
      }
    }
    return lost;
  });
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
