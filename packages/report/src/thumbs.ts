import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { decodePhoto, transformPhoto, CACHE_CHANNELS, type CacheTransform } from '@facemask/image-cache';

/** Thumbnails are this many pixels on their long side: small files, still legible faces. */
export const THUMB_LONG_SIDE = 192;

/** The thumbnail size with the image cache's aspect ratio. */
export function thumbSize(cache: Pick<CacheTransform, 'height' | 'width'>, longSide = THUMB_LONG_SIDE): { width: number; height: number } {
  const scale = longSide / Math.max(cache.width, cache.height);
  return { width: Math.max(1, Math.round(cache.width * scale)), height: Math.max(1, Math.round(cache.height * scale)) };
}

/**
 * A JPEG thumbnail of a photo framed as the model saw it: the image cache's own transform (the
 * face crop around the recorded detection, else CenterCrop, and the antialiased resize), at
 * thumbnail size rather than the cache's.
 */
export async function writeThumbnail(photo: string, out: string, cache: CacheTransform, longSide = THUMB_LONG_SIDE): Promise<{ width: number; height: number }> {
  const size = thumbSize(cache, longSide);
  const pixels = transformPhoto(await decodePhoto(photo), { centerCrop: cache.centerCrop, faceCrop: cache.faceCrop ?? null, ...size }, photo);
  const jpeg = await sharp(pixels, { raw: { width: size.width, height: size.height, channels: CACHE_CHANNELS } }).jpeg({ quality: 85 }).toBuffer();
  await writeFile(out, jpeg);
  return size;
}
