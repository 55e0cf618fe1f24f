import { z } from 'zod';

/**
 * The detectors this package runs. `ssd` and `tiny` are face-api's SsdMobilenetv1 and
 * TinyFaceDetector; `blazeface` is MediaPipe's BlazeFace as shipped by Human. README says what each
 * was trained on.
 */
export const DETECTOR_NAMES = ['ssd', 'tiny', 'blazeface'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

const minScore = (dflt: number) => z.number().min(0).max(1).default(dflt).describe('candidates scoring below are dropped');

const ssdSpec = z.strictObject({ name: z.literal('ssd'), minScore: minScore(0.5) });
const tinySpec = z.strictObject({
  name: z.literal('tiny'),
  minScore: minScore(0.5),
  /** The side the photo is resized to (a multiple of 32); larger finds smaller faces, slower. */
  inputSize: z
    .number()
    .int()
    .min(128)
    .max(1024)
    .refine((n) => n % 32 === 0, 'tiny.inputSize must be a multiple of 32')
    .default(416),
});
const blazefaceSpec = z.strictObject({ name: z.literal('blazeface'), minScore: minScore(0.5) });

/** One detector with its own options; defaults per detector. */
export const detectorSpecSchema = z.discriminatedUnion('name', [ssdSpec, tinySpec, blazefaceSpec]);
export type DetectorSpec = z.output<typeof detectorSpecSchema>;
export type DetectorSpecInput = z.input<typeof detectorSpecSchema>;

export const FACE_PICKS = ['largest', 'score'] as const;
export type FacePick = (typeof FACE_PICKS)[number];

/** The recommended cascade (README "Measured"): BlazeFace at score 0.2. */
export const RECOMMENDED_DETECTORS: readonly DetectorSpec[] = [{ name: 'blazeface', minScore: 0.2 }];

/**
 * What to run on each photo. `detectors` are tried in order and the first that finds a face
 * answers (a cascade: a detector that misses masked faces can be backed by one that does not).
 * Detection depends on these options only; crop options live in CropOptions, so changing the crop
 * never reruns detection.
 */
export const detectOptionsSchema = z.strictObject({
  detectors: z.array(detectorSpecSchema).min(1).default(() => RECOMMENDED_DETECTORS.map((d) => ({ ...d }))),
  /** Faces kept per photo, in `pick` order; the first is the one a crop uses. */
  maxFaces: z.number().int().min(1).max(100).default(1),
  /** Which face comes first when a photo shows several: the largest box, or the highest score. */
  pick: z.enum(FACE_PICKS).default('largest'),
  /**
   * Run face-api's 68-point landmark net on each kept face that lacks eye points (ssd, tiny), so a
   * crop can be aligned by the eyes. BlazeFace gives eye points itself.
   */
  landmarks: z.boolean().default(false),
});
export type DetectOptions = z.output<typeof detectOptionsSchema>;
export type DetectOptionsInput = z.input<typeof detectOptionsSchema>;

/** Parses options with defaults; a one-line error naming the bad key. */
export function parseDetectOptions(input: unknown, source = 'detect options'): DetectOptions {
  const r = detectOptionsSchema.safeParse(input ?? {});
  if (!r.success) throw new Error(`${source}: ${z.prettifyError(r.error).replace(/\s*\n\s*/g, '; ')}`);
  return r.data;
}

/** The options with every default: the recommended detector. */
export const DEFAULT_DETECT_OPTIONS: DetectOptions = detectOptionsSchema.parse({});
