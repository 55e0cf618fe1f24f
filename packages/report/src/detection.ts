import { z } from 'zod';

/**
 * What a face-detection step reports about the photos it cropped. The detection stage is being
 * built elsewhere; until it writes an artifact the report takes this as an optional input
 * (`runReport(config, { detection })`) and shows the fallbacks only when it is given.
 */
export const detectionSummarySchema = z.object({
  /** e.g. "@vladmandic/human blazeface". */
  detector: z.string(),
  /** Photos the detector looked at. */
  photos: z.number().int().min(0),
  /** Photos cropped around a detected face. */
  detected: z.number().int().min(0),
  /** Photos that fell back to the plain centre crop (no face, or one too unsure). */
  fallbacks: z.number().int().min(0),
  /** Some fallback photos with the reason, e.g. { id: "000001_female_Asian_45/mask1.jpg", reason: "no face" }. */
  examples: z.array(z.object({ id: z.string(), reason: z.string() })).default([]),
});
export type DetectionSummary = z.infer<typeof detectionSummarySchema>;
