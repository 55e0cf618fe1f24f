import type { FaceCropper } from '@facemask/ship/browser';

/** The page's face cropper: @facemask/face-detect's detector and crop geometry on the page's tfjs. */
export async function createPageFaceCropper(): Promise<FaceCropper> {
  throw new Error('this model crops around the face, and this kiosk build has no face detector (@facemask/face-detect)');
}
