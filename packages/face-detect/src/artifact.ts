import { defineArtifact } from '@facemask/core';
import { z } from 'zod';
import { DETECTOR_NAMES, detectOptionsSchema } from './options.ts';
import { detectionRecordSchema } from './record.ts';

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

export const failureSchema = z.strictObject({ path: z.string(), reason: z.string() });
export type DetectFailure = z.output<typeof failureSchema>;

export const detectionsSchema = z.strictObject({
  options: detectOptionsSchema,
  models: z.array(modelIdentitySchema).min(1),
  /** tfjs backend the detectors ran on (boxes differ by float rounding between engines). */
  backend: z.string(),
  records: z.array(detectionRecordSchema),
  /** Photos that did not decode (left out of `records`), as the caller's bad-input rule allowed. */
  failures: z.array(failureSchema).default([]),
});
export type Detections = z.output<typeof detectionsSchema>;
export type DetectionsInput = z.input<typeof detectionsSchema>;

export const detectionsArtifact = defineArtifact({
  kind: 'face-detect/detections',
  version: 1,
  schema: detectionsSchema,
  producedBy: 'face-detect:detect',
});
