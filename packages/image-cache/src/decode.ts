import { decodePhoto, PhotoError } from '@facemask/augment/decode';
import { transformPhoto, type CacheTransform } from './transform.ts';

export { decodePhoto, MAX_PIXELS, PHOTO_FIX, PhotoError } from '@facemask/augment/decode';

/**
 * A photo libjpeg decoded through corrupt data is bad input here (onBadInput: skip or stop), not
 * pixels: a half-garbled face teaches the wrong class, and a skipped one costs one sample.
 */
export async function loadPhoto(path: string, t: CacheTransform): Promise<Uint8Array> {
  const photo = await decodePhoto(path);
  if (photo.corrupt !== undefined) throw new PhotoError(`corrupt image data (${photo.corrupt}): it decodes, but part of the picture may be garbage`);
  return transformPhoto(photo, t, path);
}
