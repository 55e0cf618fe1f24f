import { z } from 'zod';

/*
 * The config of the detect stage (`detect`) and of preprocess's face crop (`preprocess.faceCrop`).
 * Zod only, no Node module: the face-detect library and a browser page parse the same options.
 */

/**
 * The detectors the face-detect library runs. `ssd` and `tiny` are face-api's SsdMobilenetv1 and
 * TinyFaceDetector; `blazeface` is MediaPipe's BlazeFace as shipped by Human (what each was
 * trained on: packages/face-detect/README.md).
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

/** The recommended cascade (packages/face-detect/README.md, "Measured"): BlazeFace at score 0.2. */
export const RECOMMENDED_DETECTORS: readonly DetectorSpec[] = [{ name: 'blazeface', minScore: 0.2 }];

/**
 * What to run on each photo (the config's `detect` section). `detectors` are tried in order and
 * the first that finds a face answers (a cascade: a detector that misses masked faces can be
 * backed by one that does not). Detection depends on these options only; the crop options live in
 * `preprocess.faceCrop`, so changing the crop never reruns detection.
 */
export const detectOptionsSchema = z.strictObject({
  detectors: z.array(detectorSpecSchema).min(1).default(() => RECOMMENDED_DETECTORS.map((d) => ({ ...d }))),
  /** Faces kept per photo, in `pick` order; the first is the one a crop uses. */
  maxFaces: z.number().int().min(1).max(100).default(1),
  /** Which face comes first when a photo shows several: the largest box, or the highest score. */
  pick: z.enum(FACE_PICKS).default('largest'),
  /**
   * Boxes whose shorter side is below this fraction of the photo's shorter side are dropped before
   * picking, and a cascade's next detector gets its turn: the person a camera photographs fills a
   * good part of the frame, so a small box is a false positive (a pattern on a wall or a shirt),
   * and a crop around it hands the network no face at all. 0 keeps every box.
   */
  minFaceSize: z.number().min(0).max(1).default(0),
  /**
   * Run face-api's 68-point landmark net on each kept face that lacks eye points (ssd, tiny), so a
   * crop can be aligned by the eyes. BlazeFace gives eye points itself.
   */
  landmarks: z.boolean().default(false),
});
export type DetectOptions = z.output<typeof detectOptionsSchema>;
export type DetectOptionsInput = z.input<typeof detectOptionsSchema>;

export const CROP_BORDERS = ['shift', 'pad'] as const;
export type CropBorder = (typeof CROP_BORDERS)[number];

/**
 * How the image cache crops around a detected face (`preprocess.faceCrop`; null: the centre crop
 * for every photo). A photo without a face gets the centre crop (`preprocess.centerCrop`).
 */
export const faceCropSchema = z.strictObject({
  /**
   * Added on every side, as a fraction of the face square's side (BlazeFace's box, squared:
   * face-detect's FACE_SQUARE). 0.1 makes the region 1.2x the square: the forehead and some hair.
   */
  margin: z.number().min(0).max(2).default(0.1),
  /**
   * true: a square region, the detection's face square plus margins. false: the detector's own box
   * plus margins, stretched to the output.
   */
  square: z.boolean().default(true),
  /**
   * 'eyes' turns the region so the eyes are level. 'similarity' maps the eyes to fixed places of
   * a canonical chip (rotation, scale and position from the two eye points: face-detect's
   * EYE_CHIP), so every face has its eyes at the same pixels, as the face-recognition backbone's
   * own training chips did; the margin is added around that chip. Faces without eye points keep
   * the detector's box, unturned.
   */
  align: z.enum(['none', 'eyes', 'similarity']).default('none'),
  /**
   * A region reaching past the photo's edge. 'shift': moved back inside, keeping its size (shrunk
   * about its centre only if larger than the photo), so every pixel is real and the face keeps its
   * scale, slightly off-centre at the edge. 'pad': kept where it is, the outside filled with black
   * (value 0, like torchvision's CenterCrop padding), so the face stays centred.
   */
  border: z.enum(CROP_BORDERS).default('shift'),
});
export type FaceCrop = z.output<typeof faceCropSchema>;
export type FaceCropInput = z.input<typeof faceCropSchema>;
