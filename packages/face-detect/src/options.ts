import { z } from 'zod';
import { detectOptionsSchema, type DetectOptions } from '@facemask/contracts/detect';

// The schemas are the pipeline config's `detect` section (contracts); this adds parsing helpers.
export {
  DETECTOR_NAMES,
  detectOptionsSchema,
  detectorSpecSchema,
  FACE_PICKS,
  RECOMMENDED_DETECTORS,
  type DetectOptions,
  type DetectOptionsInput,
  type DetectorName,
  type DetectorSpec,
  type DetectorSpecInput,
  type FacePick,
} from '@facemask/contracts/detect';

/** Parses options with defaults; a one-line error naming the bad key. */
export function parseDetectOptions(input: unknown, source = 'detect options'): DetectOptions {
  const r = detectOptionsSchema.safeParse(input ?? {});
  if (!r.success) throw new Error(`${source}: ${z.prettifyError(r.error).replace(/\s*\n\s*/g, '; ')}`);
  return r.data;
}

/** The options with every default: the recommended detector. */
export const DEFAULT_DETECT_OPTIONS: DetectOptions = detectOptionsSchema.parse({});
