import { centerCropU8, resizeU8 } from '@facemask/augment/browser';

/**
 * The deterministic transform from a decoded photo to what the image cache stores. No node:
 * modules or sharp here: an exported model's predict and the kiosk page apply this very function
 * to their decoded photos, so they see what training saw.
 */

/** The deterministic transform applied once, when caching. */
export interface CacheTransform {
  /** torchvision CenterCrop(size) first (null: none). */
  centerCrop: number | null;
  height: number;
  width: number;
}

export const CACHE_CHANNELS = 3;

export interface DecodedPhoto {
  data: Uint8Array;
  height: number;
  width: number;
}

/** CenterCrop (if set) then PIL antialiased bilinear resize to height x width. */
export function transformPhoto(img: DecodedPhoto, t: CacheTransform): Uint8Array {
  let { data, height, width } = img;
  if (t.centerCrop !== null) {
    data = centerCropU8(data, height, width, CACHE_CHANNELS, t.centerCrop, t.centerCrop);
    height = t.centerCrop;
    width = t.centerCrop;
  }
  return resizeU8(data, height, width, CACHE_CHANNELS, t.height, t.width);
}
