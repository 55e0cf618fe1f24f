import type { DetectionRecord, FaceCrop } from '@facemask/contracts/detect';
import { cropPixels, faceRegion, primaryFace, type RgbImage } from '@facemask/face-detect/crop';

/**
 * preprocess.faceCrop: the image cache crops around the face the detect stage found in each photo
 * and takes the centre crop where it found none (or never saw the photo). No Node module here:
 * an exported model's predict and the kiosk page crop their photos with this very function.
 */
export interface FaceCropTransform {
  options: FaceCrop;
  /** Hash of the records the crops follow: part of the image cache's transform hash. */
  detectionsHash: string;
  /** Records by photo file (absolute). */
  records: ReadonlyMap<string, DetectionRecord>;
}

/**
 * The face crop of a decoded photo at height x width (PIL-exact resize, as the centre crop), or
 * null where no face was found: the caller takes the centre crop then.
 */
export function faceCropPixels(img: RgbImage, file: string, t: FaceCropTransform, height: number, width: number): Uint8Array | null {
  const record = t.records.get(file);
  if (!record) return null;
  if (record.width !== img.width || record.height !== img.height) {
    throw new Error(`${file} is ${img.width}x${img.height} but was ${record.width}x${record.height} when its faces were found (it changed since): rerun \`nx run detect:run\``);
  }
  const face = primaryFace(record);
  return face ? cropPixels(img, faceRegion(face, img.width, img.height, t.options), width, height) : null;
}
