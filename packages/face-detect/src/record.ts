import { z } from 'zod';
import { DETECTOR_NAMES, type FacePick } from './options.ts';

const coord = z.number().finite();
export const pointSchema = z.strictObject({ x: coord, y: coord });
export type Point = z.output<typeof pointSchema>;

/** Axis-aligned box in original pixel coordinates (x, y: top-left corner; may reach past the border). */
export const boxSchema = z.strictObject({ x: coord, y: coord, width: coord.positive(), height: coord.positive() });
export type Box = z.output<typeof boxSchema>;

export const faceSchema = z.strictObject({
  box: boxSchema,
  /** The detector's confidence, 0..1. */
  score: z.number().min(0).max(1),
  /** Which detector of the cascade found it. */
  detector: z.enum(DETECTOR_NAMES),
  /**
   * Eye centres in original pixels, `left` being the one with the smaller x in the photo (the
   * person's right eye). From BlazeFace's keypoints or face-api's 68-point net; absent otherwise.
   */
  eyes: z.strictObject({ left: pointSchema, right: pointSchema }).optional(),
  /** All landmark points the detector gave (BlazeFace: 6, face-api's landmark net: 68). */
  landmarks: z.array(pointSchema).optional(),
});
export type Face = z.output<typeof faceSchema>;

/** One photo's answer: `faces` empty means no face was found (the crop falls back to the centre). */
export const detectionRecordSchema = z.strictObject({
  /** The photo as the caller named it (the stage uses paths relative to the data root). */
  path: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** At most `maxFaces`, in pick order. */
  faces: z.array(faceSchema),
});
export type DetectionRecord = z.output<typeof detectionRecordSchema>;

/** The face a crop uses, or null for "no face". */
export function primaryFace(record: DetectionRecord): Face | null {
  return record.faces[0] ?? null;
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
