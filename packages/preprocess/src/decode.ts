import { decodePhoto } from '@facemask/augment/decode';
import { transformPhoto, type CacheTransform } from './transform.ts';

export { decodePhoto, MAX_PIXELS, PHOTO_FIX, PhotoError } from '@facemask/augment/decode';

export async function loadPhoto(path: string, t: CacheTransform): Promise<Uint8Array> {
  return transformPhoto(await decodePhoto(path), t, path);
}
