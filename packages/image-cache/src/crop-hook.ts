import type { DecodedPhoto } from '@facemask/augment/decode';
import type { DetectionRecord, FaceCrop } from '@facemask/contracts/detect';
import { transformPhoto } from './transform.ts';

/** The crop options detect makes its handoff with: the image cache's transform, the detections aside. */
export interface HandoffCrop {
  centerCrop: number | null;
  height: number;
  width: number;
  faceCrop: FaceCrop;
}

/** This module, as face-detect's afterDetect hook names it (source or built, it names itself). */
export const CROP_HOOK_MODULE = import.meta.url;

/**
 * face-detect's afterDetect hook (AfterDetect): the image cache's pixels of a photo whose faces
 * were just found, from the same decode. What loadPhoto would store for it: the same transform on
 * the same decoder's pixels, around this record; null for a photo loadPhoto refuses as corrupt,
 * which preprocess then decodes itself and reports.
 */
export function afterDetect(image: DecodedPhoto, record: DetectionRecord, file: string, options: unknown): Uint8Array | null {
  if (image.corrupt !== undefined) return null;
  const o = options as HandoffCrop;
  const faceCrop = { options: o.faceCrop, detectionsHash: '', records: new Map([[file, record]]) };
  return transformPhoto(image, { centerCrop: o.centerCrop, height: o.height, width: o.width, faceCrop }, file);
}
