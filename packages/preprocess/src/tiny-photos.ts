import { open } from 'node:fs/promises';
import { mapLimit } from '@facemask/contracts';

/**
 * A photo this small holds no face: cropped and resized it becomes a smear or a blank square that
 * trains (or is answered) like any other photo. Warned about with its path; decoding decides
 * whether it is usable at all.
 */
export const TINY_PHOTO_SIDE = 16;

/** Calls `warn` for each photo under TINY_PHOTO_SIDE on a side, reading headers only. */
export async function warnTinyPhotos(paths: readonly string[], warn: (message: string) => void, concurrency = 16): Promise<void> {
  const sizes = await mapLimit(paths, concurrency, (p) => photoSize(p).catch(() => null));
  sizes.forEach((size, i) => {
    if (size && (size.width < TINY_PHOTO_SIDE || size.height < TINY_PHOTO_SIDE)) {
      warn(`${paths[i]} is ${size.width}x${size.height} pixels, under ${TINY_PHOTO_SIDE} on a side: it holds no face and caches as a smear or blank; replace or remove it`);
    }
  });
}

/**
 * Width and height from a PNG's IHDR or a JPEG's frame header, or null when neither is found
 * (decoding reports such a file). Not through sharp: libvips caches what it opened, and a
 * header read ahead of the decode takes libjpeg's warnings about corrupt data away from it.
 */
export async function photoSize(path: string): Promise<{ width: number; height: number } | null> {
  const fh = await open(path, 'r');
  try {
    const at = async (pos: number, len: number) => {
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, pos);
      return buf.subarray(0, bytesRead);
    };
    const head = await at(0, 24);
    if (head.length >= 24 && head.readUInt32BE(0) === 0x89504e47) return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
    if (head.length < 4 || head[0] !== 0xff || head[1] !== 0xd8) return null;
    // JPEG: walk the segments (each 0xFF, a marker, a 2-byte length) to the first frame header.
    let pos = 2;
    for (let segments = 0; segments < 1000; segments++) {
      const seg = await at(pos, 9);
      if (seg.length < 4 || seg[0] !== 0xff) return null;
      const marker = seg[1]!;
      if (marker === 0xff) {
        pos += 1; // fill byte
        continue;
      }
      const frame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (frame) return seg.length < 9 ? null : { height: seg.readUInt16BE(5), width: seg.readUInt16BE(7) };
      if (marker === 0xd9 || marker === 0xda) return null;
      pos += 2 + seg.readUInt16BE(2);
    }
    return null;
  } finally {
    await fh.close();
  }
}
