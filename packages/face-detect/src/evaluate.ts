import type { DetectorSpec } from './options.ts';
import { pickFaces, type DetectionRecord, type Face, type Box } from './record.ts';
import { faceSquare } from './geometry.ts';
import { containsFace } from './score.ts';

/** One photo of a measured set: its group (kind or mask state) and the face square if known. */
export interface EvalPhoto {
  path: string;
  groups: string[];
  face: Box | null;
}

export interface GroupStats {
  group: string;
  photos: number;
  detected: number;
  contains: number;
}

/**
 * The cascade's answer from per-detector runs recorded with a low score floor: the first detector
 * (in cascade order) with a face at or above its minScore answers, with its pick-order first face.
 * Equivalent to running the cascade, since each detector sees the photo independently.
 */
export function cascadeFace(perDetector: readonly (DetectionRecord | undefined)[], specs: readonly Pick<DetectorSpec, 'minScore'>[], pick: 'largest' | 'score'): Face | null {
  for (let k = 0; k < specs.length; k++) {
    const faces = (perDetector[k]?.faces ?? []).filter((f) => f.score >= specs[k]!.minScore);
    if (faces.length) return pickFaces(faces, pick, 1)[0]!;
  }
  return null;
}

/** Detection and containment counts per group. */
export function groupStats(photos: readonly EvalPhoto[], faceOf: (p: EvalPhoto) => Face | null): GroupStats[] {
  const by = new Map<string, GroupStats>();
  for (const p of photos) {
    const f = faceOf(p);
    for (const g of p.groups) {
      const s = by.get(g) ?? { group: g, photos: 0, detected: 0, contains: 0 };
      s.photos++;
      if (f) s.detected++;
      if (f && p.face && containsFace(faceSquare(f), p.face)) s.contains++;
      by.set(g, s);
    }
  }
  return [...by.values()];
}
