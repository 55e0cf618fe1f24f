import { centerCropU8, resizeU8 } from '@facemask/augment/pixels';
import type { DecodedPhoto } from '@facemask/augment/decode';
import { faceCropPixels, type FaceCropTransform } from './face-crop-pixels.ts';

/**
 * The deterministic transform from a decoded photo to what the image cache stores. No node:
 * modules or sharp here: an exported model's predict and the kiosk page apply this very function
 * to their decoded photos, so they see what training saw.
 */

export type { DecodedPhoto } from '@facemask/augment/decode';

/** The deterministic transform applied once, when caching. */
export interface CacheTransform {
  /** torchvision CenterCrop(size) first (null: none). */
  centerCrop: number | null;
  height: number;
  width: number;
  /** preprocess.faceCrop: around the detected face instead, where one was found (null/absent: never). */
  faceCrop?: FaceCropTransform | null;
}

export const CACHE_CHANNELS = 3;

/** What a store's and a crop handoff's pixels are; bump when the decode or transform code changes the pixels it writes. */
export const PIXELS_FORMAT = 'u8-hwc-rgb-v1';

/** The face crop where a face was found, else CenterCrop (if set); then PIL antialiased bilinear resize to height x width. */
export function transformPhoto(img: DecodedPhoto, t: CacheTransform, file?: string): Uint8Array {
  if (t.faceCrop && file !== undefined) {
    const face = faceCropPixels(img, file, t.faceCrop, t.height, t.width);
    if (face) return face;
  }
  let { data, height, width } = img;
  if (t.centerCrop !== null) {
    data = centerCropU8(data, height, width, CACHE_CHANNELS, t.centerCrop, t.centerCrop);
    height = t.centerCrop;
    width = t.centerCrop;
  }
  return resizeU8(data, height, width, CACHE_CHANNELS, t.height, t.width);
}
