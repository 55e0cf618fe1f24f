import type { DetectionRecord } from '@facemask/contracts/detect';
import type { ModelManifest } from '@facemask/contracts/browser';
import { primaryFace, type RgbImage } from '@facemask/face-detect/crop';
import { transformPhoto, type DecodedPhoto } from '@facemask/image-cache/browser';

/**
 * From a decoded photo (uint8 RGB, as preprocess decodes it) to the model's input, by the
 * manifest's crop rule, through preprocess's own cache transform: the centre rule as the cache
 * took it; the face rule with the record the detector (@facemask/face-detect, the detect stage's
 * options and weights) gives for the whole photo, as the cache cropped by the detect stage's
 * record. Browser-safe.
 */

/** What a crop needs of face-detect's FaceDetector. */
export interface FaceFinder {
  detectRecord(path: string, image: RgbImage): Promise<DetectionRecord>;
  dispose(): void;
}

export interface Cropped {
  /** uint8 RGB HWC at the manifest's input size. */
  pixels: Uint8Array;
  /** Face crop only: true when no face was found and the centre fallback was used; null for a centre rule. */
  fallback: boolean | null;
}

// The transform looks a photo's record up by its file; one photo at a time here.
const PHOTO = 'photo';

export async function cropToInput(photo: DecodedPhoto, manifest: Pick<ModelManifest, 'crop' | 'input'>, faces: FaceFinder | null): Promise<Cropped> {
  const { height, width } = manifest.input;
  const rule = manifest.crop;
  switch (rule.kind) {
    case 'centre':
      return { pixels: transformPhoto(photo, { centerCrop: rule.size, height, width }), fallback: null };
    case 'face': {
      if (!faces) throw new Error('this model crops around the face: a face detector is needed (createFaceFinder)');
      const record = await faces.detectRecord(PHOTO, photo);
      const faceCrop = { options: rule.crop, detectionsHash: '', records: new Map([[PHOTO, record]]) };
      const pixels = transformPhoto(photo, { centerCrop: rule.fallbackCenterCrop, height, width, faceCrop }, PHOTO);
      return { pixels, fallback: primaryFace(record) === null };
    }
    default: {
      const never: never = rule;
      throw new Error(`unknown crop rule ${JSON.stringify(never)}`);
    }
  }
}
