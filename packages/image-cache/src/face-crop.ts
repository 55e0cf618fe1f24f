import {
  dataFile,
  detectionsArtifact,
  hashJson,
  PHOTO_KINDS,
  readArtifact,
  workLayout,
  type FaceCrop,
  type PhotoKind,
  type PreprocessSummary,
} from '@facemask/contracts';
import { primaryFace } from '@facemask/face-detect/crop';
import type { FaceCropTransform } from './face-crop-pixels.ts';

export { faceCropPixels, type FaceCropTransform } from './face-crop-pixels.ts';

/**
 * Reads `<work>/detect/detections.json` (written by detect:run), whose records name the photos
 * relative to the data root: keyed here by where they lie under `root` on this machine. Which
 * root they were found in is Nx's business (detect keys on the root's fingerprint); a photo the
 * records do not name gets the centre crop and is counted as unrecorded.
 */
export async function readFaceCrop(work: string, root: string, options: FaceCrop): Promise<FaceCropTransform> {
  const d = await readArtifact(detectionsArtifact, workLayout.detect(work).detections);
  return { options, detectionsHash: hashJson(d.records), records: new Map(d.records.map((r) => [dataFile(root, r.path), r])) };
}

type Fallbacks = NonNullable<PreprocessSummary['cache']['faceCrop']>;

/** Per photo kind and for the eval photos: the cached photos and the centre-crop fallbacks among them. */
export function countFallbacks(t: FaceCropTransform, train: readonly { kind: PhotoKind; path: string }[], evalPhotos: readonly { path: string }[]): Fallbacks {
  const fallbacks = Object.fromEntries([...PHOTO_KINDS, 'eval'].map((k) => [k, { photos: 0, fallbacks: 0 }])) as Fallbacks['fallbacks'];
  let unrecorded = 0;
  const count = (group: PhotoKind | 'eval', path: string) => {
    const record = t.records.get(path);
    if (!record) unrecorded++;
    fallbacks[group].photos++;
    if (!record || !primaryFace(record)) fallbacks[group].fallbacks++;
  };
  for (const p of train) count(p.kind, p.path);
  for (const p of evalPhotos) count('eval', p.path);
  return { options: t.options, fallbacks, unrecorded };
}
