import type { FaceCropper } from './crop.ts';

/**
 * The one place that talks to @facemask/face-detect (being built on another branch): the
 * detector and crop geometry preprocess will use for a face-crop cache.
 */
export async function createFaceCropper(): Promise<FaceCropper> {
  throw new Error('this model crops around the face, and this build has no face detector (@facemask/face-detect): update facemask');
}
