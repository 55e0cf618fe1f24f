import { decodePhoto, PHOTO_FIX, PhotoError as DecodeError, type DecodedPhoto } from '@facemask/augment/decode';

/** The decoder the detectors see the photos through (augment's): detections depend on its build. */
export { DECODER } from '@facemask/augment/decode';

/** Why a photo could not be used: augment's decoder's reason and fix, naming the file. */
export class PhotoError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly fix: string = PHOTO_FIX,
  ) {
    super(`${file}: ${reason}. Fix: ${fix}`);
    this.name = 'PhotoError';
  }
}

/**
 * Decodes a photo file to RGB through the image cache's decoder (@facemask/augment/decode), so
 * boxes found here are in the cache's pixel coordinates and a photo is refused for the same reason.
 */
export async function decodePhotoFile(path: string): Promise<DecodedPhoto> {
  try {
    return await decodePhoto(path);
  } catch (err) {
    if (err instanceof DecodeError) throw new PhotoError(path, err.message, err.fix);
    const code = (err as NodeJS.ErrnoException).code;
    if (code) throw new PhotoError(path, `cannot read (${code})`, 'check the path and its permissions');
    throw err;
  }
}
