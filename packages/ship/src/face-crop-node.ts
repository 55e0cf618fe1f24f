import type { FaceCropper } from './crop.ts';

/**
 * `pnpm predict`'s face cropper. Once @facemask/face-detect is on main this becomes
 * `faceCropper(await import('@facemask/face-detect'), (o) => createNodeDetector(o))` (face-crop.ts);
 * until then a face-crop model folder is refused with this message.
 */
export async function createFaceCropper(): Promise<FaceCropper> {
  throw new Error('this model crops around the face, and this build has no face detector (@facemask/face-detect is not installed): update facemask');
}
