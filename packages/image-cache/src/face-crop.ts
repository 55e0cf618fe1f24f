import { join, resolve } from 'node:path';
import {
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
 * Reads `<work>/detect/detections.json` (written by detect:run for this data root; null: for the
 * root the detections name, as when a store is rebuilt).
 */
export async function readFaceCrop(work: string, dataRoot: string | null, options: FaceCrop): Promise<FaceCropTransform> {
  const file = workLayout.detect(work).detections;
  const d = await readArtifact(detectionsArtifact, file);
  const root = dataRoot ?? d.dataRoot;
  if (resolve(d.dataRoot) !== resolve(root)) {
    throw new Error(`${file}: the detections are for data root ${d.dataRoot}, not ${root}: rerun \`nx run detect:run\``);
  }
  return { options, detectionsHash: hashJson(d.records), records: new Map(d.records.map((r) => [join(root, r.path), r])) };
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
