import { join, resolve } from 'node:path';
import {
  detectionsArtifact,
  hashJson,
  PHOTO_KINDS,
  readArtifact,
  workLayout,
  type DetectionRecord,
  type FaceCrop,
  type PhotoKind,
  type PreprocessSummary,
} from '@facemask/contracts';
import { cropPixels, faceRegion, primaryFace, type RgbImage } from '@facemask/face-detect/crop';

/**
 * preprocess.faceCrop: the image cache crops around the face the detect stage found in each photo
 * and takes the centre crop where it found none (or never saw the photo).
 */
export interface FaceCropTransform {
  options: FaceCrop;
  /** Hash of the records the crops follow: part of the image cache's transform hash. */
  detectionsHash: string;
  /** Records by photo file (absolute). */
  records: ReadonlyMap<string, DetectionRecord>;
}

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
