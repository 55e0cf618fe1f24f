import type { Box, DetectionRecord, Face, FacePick } from '@facemask/contracts/detect';

// The record schemas are the detections artifact's (contracts); this adds what callers do with them.
export {
  boxSchema,
  detectionRecordSchema,
  faceSchema,
  pointSchema,
  type Box,
  type DetectionRecord,
  type Face,
  type Point,
} from '@facemask/contracts/detect';

/** The face a crop uses, or null for "no face". */
export function primaryFace(record: DetectionRecord): Face | null {
  return record.faces[0] ?? null;
}

/** Whether a box is large enough to be the photo's subject (detect options' `minFaceSize`). */
export function isFaceSized(box: Box, photo: { width: number; height: number }, minFaceSize: number): boolean {
  return Math.min(box.width, box.height) >= minFaceSize * Math.min(photo.width, photo.height);
}

export function boxArea(b: Box): number {
  return b.width * b.height;
}

/** Sorts in pick order (largest box or highest score first, the other as tie-break) and keeps `max`. */
export function pickFaces(faces: readonly Face[], pick: FacePick, max: number): Face[] {
  const key = (f: Face): [number, number] => (pick === 'largest' ? [boxArea(f.box), f.score] : [f.score, boxArea(f.box)]);
  return [...faces]
    .sort((a, b) => {
      const [a1, a2] = key(a);
      const [b1, b2] = key(b);
      return b1 - a1 || b2 - a2;
    })
    .slice(0, max);
}
