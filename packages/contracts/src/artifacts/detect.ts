import { z } from 'zod';
import { defineArtifact } from '../artifact-spec.ts';
import { DETECTOR_NAMES, detectOptionsSchema, faceCropSchema } from '../config/detect.ts';
import { targets } from '../targets.ts';

/*
 * What the detect stage writes (`<data.work>/detect/detections.json`, workLayout.detect) and
 * preprocess reads for its face crop. No Node module: a browser page reads the same records.
 */

const coord = z.number().finite();
export const pointSchema = z.strictObject({ x: coord, y: coord });
export type Point = z.output<typeof pointSchema>;

/** Axis-aligned box in original pixel coordinates (x, y: top-left corner). */
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
  /** The photo as the caller named it (the stage: relative to the data root, "train/images/<id>/mask1.jpg"). */
  path: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** At most `maxFaces`, in pick order. */
  faces: z.array(faceSchema),
});
export type DetectionRecord = z.output<typeof detectionRecordSchema>;

/** Which pretrained network answered: enough to tell two runs' models apart. */
export const modelIdentitySchema = z.strictObject({
  detector: z.enum([...DETECTOR_NAMES, 'landmarks68']),
  /** npm package and exact version the weights came from. */
  package: z.string(),
  version: z.string(),
  /** Weight files, relative to the package, each with its sha256 (hex). */
  files: z.array(z.strictObject({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })).min(1),
});
export type ModelIdentity = z.output<typeof modelIdentitySchema>;

/** A photo that did not decode: `reason` is worded as preprocess words it. */
export const detectFailureSchema = z.strictObject({ path: z.string(), reason: z.string() });
export type DetectFailure = z.output<typeof detectFailureSchema>;

/**
 * Every photo of the data root, named relative to it (no root: the file is part of preprocess's
 * Nx key and restored as-is on machines where the root lies elsewhere; Nx reruns detect when the
 * root's content changes).
 */
export const detectionsSchema = z.strictObject({
  options: detectOptionsSchema,
  models: z.array(modelIdentitySchema).min(1),
  /** tfjs backend the detectors ran on (boxes differ by float rounding between engines). */
  backend: z.string(),
  records: z.array(detectionRecordSchema),
  /** Photos that did not decode (left out of `records`); preprocess reports them as its onBadInput says. */
  failures: z.array(detectFailureSchema).default([]),
});
export type Detections = z.output<typeof detectionsSchema>;
export type DetectionsInput = z.input<typeof detectionsSchema>;

export const detectionsArtifact = defineArtifact({
  kind: 'detect/detections',
  // 2: no dataRoot
  version: 2,
  schema: detectionsSchema,
  producedBy: targets.detect,
});

/**
 * A shared detection store's record of its detections file (workLayout.detectionStore): the
 * sha256 of the file's bytes, checked before a run links the file in, so an entry changed on disk
 * since (the file is hard-linked into every run that used it) is rebuilt, never trusted.
 */
export const detectionStoreEntrySchema = z.strictObject({
  /** The store key the entry was published under (its folder's name). */
  key: z.string().regex(/^[0-9a-f]{64}$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  /**
   * The engine the detectors ran on. The key holds the engine expected before any loaded, which
   * auto can get wrong (a GPU without its driver); this says what ran. Absent in entries stored
   * before it was recorded (their detections.json says it).
   */
  backend: z.string().optional(),
});
export type DetectionStoreEntry = z.output<typeof detectionStoreEntrySchema>;

export const detectionStoreEntryArtifact = defineArtifact({ kind: 'detect/store-entry', version: 1, schema: detectionStoreEntrySchema, producedBy: targets.detect });

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * The index of the crops detect hands to preprocess (workLayout.cropHandoff): what the crops were
 * made with and, per photo, which slot of pixels.u8 holds its crop. preprocess takes a slot only
 * where the photo's content, its detection record and every crop option are the ones it would
 * crop with, so a handoff left from another run can never put other pixels in a store.
 */
export const cropHandoffSchema = z.strictObject({
  /** The image cache's store format and decoder (another build may round pixels differently). */
  format: z.string(),
  decoder: z.string(),
  transform: z.strictObject({
    centerCrop: z.number().int().positive().nullable(),
    height: z.number().int().positive(),
    width: z.number().int().positive(),
    faceCrop: faceCropSchema,
  }),
  /** sha256 of pixels.u8, checked before any slot is taken. */
  pixelsSha256: sha256Hex,
  photos: z.array(
    z.strictObject({
      /** Relative to the data root, as the records and the cache's sources name it. */
      path: z.string(),
      sha256: sha256Hex,
      /** hashJson of the photo's detection record as detections.json holds it. */
      record: sha256Hex,
      slot: z.number().int().nonnegative(),
    }),
  ),
});
export type CropHandoff = z.output<typeof cropHandoffSchema>;

export const cropHandoffArtifact = defineArtifact({ kind: 'detect/crop-handoff', version: 1, schema: cropHandoffSchema, producedBy: targets.detect });
