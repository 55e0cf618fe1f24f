import type { DetectorSpec } from './options.ts';
import { isFaceSized, pickFaces, type DetectionRecord, type Face, type Box } from './record.ts';
import { cropOptionsSchema, cropRegion, FACE_SQUARE, faceSquare, type CropOptions, type FaceSquareCalibration } from './geometry.ts';
import { containsFace, coverage, matchesSquare } from './score.ts';

/**
 * The second criterion, on the crop itself: it covers at least 90% of the ground-truth square,
 * and that square fills at least a quarter of it (a crop of the whole photo covers the face too).
 * Measured for unturned crops (the axis-aligned bounding box is used as is).
 */
export const CROP_COVERS = { minCoverage: 0.9, minShare: 0.25 } as const;

/** One photo of a measured set: its group (kind or mask state) and the face square if known. */
export interface EvalPhoto {
  path: string;
  groups: string[];
  face: Box | null;
  /** Photo size, for the crop criterion (fallback crops need it). */
  width?: number;
  height?: number;
}

export interface GroupStats {
  group: string;
  photos: number;
  detected: number;
  /** The face square contains the face (containsFace). */
  contains: number;
  /** The face square matches the ground-truth square (IoU >= 0.5, matchesSquare). */
  matches: number;
  /** The crop with `cropOptions` (or the fallback) covers >= 90% of the truth, which fills >= 25% of it. */
  cropCovers: number;
}

/**
 * The cascade's answer from per-detector runs recorded with a low score floor: the first detector
 * (in cascade order) with a face at or above its minScore answers, with its pick-order first face.
 * Equivalent to running the cascade, since each detector sees the photo independently.
 */
export function cascadeFace(
  perDetector: readonly (DetectionRecord | undefined)[],
  specs: readonly Pick<DetectorSpec, 'minScore'>[],
  pick: 'largest' | 'score',
  minFaceSize = 0,
): Face | null {
  for (let k = 0; k < specs.length; k++) {
    const record = perDetector[k];
    const faces = (record?.faces ?? []).filter((f) => f.score >= specs[k]!.minScore && isFaceSized(f.box, record!, minFaceSize));
    if (faces.length) return pickFaces(faces, pick, 1)[0]!;
  }
  return null;
}

/** Detection and containment counts per group, with the face squares of `squares`. */
export function groupStats(
  photos: readonly EvalPhoto[],
  faceOf: (p: EvalPhoto) => Face | null,
  cropOptions: CropOptions = cropOptionsSchema.parse({}),
  squares: FaceSquareCalibration = FACE_SQUARE,
): GroupStats[] {
  const by = new Map<string, GroupStats>();
  for (const p of photos) {
    const f = faceOf(p);
    let covers = false;
    if (p.face && p.width && p.height) {
      const r = cropRegion({ width: p.width, height: p.height, faces: f ? [f] : [] }, cropOptions, squares);
      const crop = { x: r.cx - r.width / 2, y: r.cy - r.height / 2, width: r.width, height: r.height };
      covers = coverage(crop, p.face) >= CROP_COVERS.minCoverage && (p.face.width * p.face.height) / (r.width * r.height) >= CROP_COVERS.minShare;
    }
    for (const g of p.groups) {
      const s = by.get(g) ?? { group: g, photos: 0, detected: 0, contains: 0, matches: 0, cropCovers: 0 };
      s.photos++;
      if (f) s.detected++;
      if (covers) s.cropCovers++;
      if (f && p.face && containsFace(faceSquare(f, squares), p.face)) s.contains++;
      if (f && p.face && matchesSquare(faceSquare(f, squares), p.face)) s.matches++;
      by.set(g, s);
    }
  }
  return [...by.values()];
}
