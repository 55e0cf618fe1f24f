import type { FaceCropRule, ModelManifest } from '@facemask/contracts/browser';
import { transformPhoto, type DecodedPhoto } from '@facemask/preprocess/browser';

/**
 * From a decoded photo (uint8 RGB, as preprocess decodes it) to the model's input, by the
 * manifest's crop rule: the centre crop is preprocess's own cache transform; the face crop runs a
 * face cropper (face-crop.ts: the detector and crop geometry of @facemask/face-detect) and then
 * the same resize. Browser-safe.
 */

/** Crops a photo around its face by a face rule; `fallback` when no face was found. */
export interface FaceCropper {
  crop(photo: DecodedPhoto, rule: FaceCropRule): Promise<{ photo: DecodedPhoto; fallback: boolean }>;
  dispose(): void;
}

export interface Cropped {
  /** uint8 RGB HWC at the manifest's input size. */
  pixels: Uint8Array;
  /** Face crop only: true when no face was found and the centre fallback was used; null for a centre rule. */
  fallback: boolean | null;
}

export async function cropToInput(photo: DecodedPhoto, manifest: Pick<ModelManifest, 'crop' | 'input'>, faces: FaceCropper | null): Promise<Cropped> {
  const { height, width } = manifest.input;
  const rule = manifest.crop;
  switch (rule.kind) {
    case 'centre':
      return { pixels: transformPhoto(photo, { centerCrop: rule.size, height, width }), fallback: null };
    case 'face': {
      if (!faces) throw new Error('this model crops around the face: a face cropper is needed (createFaceCropper)');
      const face = await faces.crop(photo, rule);
      return { pixels: transformPhoto(face.photo, { centerCrop: null, height, width }), fallback: face.fallback };
    }
    default: {
      const never: never = rule;
      throw new Error(`unknown crop rule ${JSON.stringify(never)}`);
    }
  }
}
