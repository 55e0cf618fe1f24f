import { centerCropOffsets } from '@facemask/augment/pixels';
import { faceCropSchema, type CropBorder, type FaceCrop } from '@facemask/contracts/detect';
import { z } from 'zod';
import type { DetectorName } from './options.ts';
import { primaryFace, type Box, type DetectionRecord, type Face, type Point } from './record.ts';

/*
 * Pure crop geometry: from a detection and crop options to the region of the original photo a
 * crop takes. Coordinates are continuous original pixels: pixel (i, j) covers [i, i+1) x [j, j+1).
 */

export { CROP_BORDERS, type CropBorder } from '@facemask/contracts/detect';

/**
 * The pipeline's `preprocess.faceCrop` (margin, square, align, border) plus what a standalone crop
 * needs: the output side and the fallback square. (The image cache takes its output size from
 * preprocess.height/width and falls back to preprocess.centerCrop instead.)
 */
export const cropOptionsSchema = faceCropSchema.extend({
  /** Output side in pixels (the crop is square). */
  size: z.number().int().min(8).max(4096).default(224),
  /** No face found: a centred square of this fraction of the photo's shorter side (1: the largest). */
  fallbackSide: z.number().gt(0).max(1).default(1),
});
export type CropOptions = z.output<typeof cropOptionsSchema>;
export type CropOptionsInput = z.input<typeof cropOptionsSchema>;

/** A (possibly rotated) rectangle of the original photo. */
export interface CropRegion {
  cx: number;
  cy: number;
  /** Along the region's own axes (before rotation). */
  width: number;
  height: number;
  /**
   * Radians; the region's x axis points along (cos, sin) in image coordinates (y down), so a
   * positive angle turns it clockwise on screen. 0 for an axis-aligned region.
   */
  angle: number;
  /** 'fallback': no face was found and this is the centre crop. */
  source: 'face' | 'fallback';
}

/** Maps output coordinates (u, v) to original ones: x = a*u + b*v + c, y = d*u + e*v + f. */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

/** Integer crop box (left, top, width, height) in original pixels; may reach outside with 'pad'. */
export interface PixelRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Each detector draws its box to its own convention. A crop should not depend on which detector
 * of a cascade answered, so a box is first mapped to the face square: side = scale * the box's
 * longer side, centre moved down by offsetY * side. The face square is BlazeFace's own box, made
 * square about its centre (brow to chin, cheek to cheek on the synthetic faces); the other
 * detectors' constants make their squares agree with it: medians over the synthetic train photos
 * both detectors found (`pnpm synth --out /tmp/synth-cal --people 150 --seed 11`, `measure
 * calibrate --reference`). No dev set tuned them. A square fitted on the synthetic faces' own
 * ground truth (forehead top to chin) did not carry over to real faces: README "Calibration".
 */
export type FaceSquareCalibration = Record<DetectorName, { scale: number; offsetY: number }>;
export const FACE_SQUARE: FaceSquareCalibration = {
  ssd: { scale: 0.96, offsetY: 0.04 },
  tiny: { scale: 0.99, offsetY: 0.009 },
  blazeface: { scale: 1, offsetY: 0 },
};

/** The face square of a detection (original pixels; may reach past the border). */
export function faceSquare(face: Pick<Face, 'box' | 'detector'>, squares: FaceSquareCalibration = FACE_SQUARE): Box {
  const { scale, offsetY } = squares[face.detector];
  const side = scale * Math.max(face.box.width, face.box.height);
  const cx = face.box.x + face.box.width / 2;
  const cy = face.box.y + face.box.height / 2 + offsetY * side;
  return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
}

/** Eye-line angle (radians, image coordinates) from the image-left eye to the image-right one. */
export function eyeAngle(eyes: { left: Point; right: Point }): number {
  return Math.atan2(eyes.right.y - eyes.left.y, eyes.right.x - eyes.left.x);
}

/** Half-extents of the region's axis-aligned bounding box. */
export function regionHalfExtent(r: Pick<CropRegion, 'width' | 'height' | 'angle'>): { hx: number; hy: number } {
  const c = Math.abs(Math.cos(r.angle));
  const s = Math.abs(Math.sin(r.angle));
  return { hx: (c * r.width + s * r.height) / 2, hy: (s * r.width + c * r.height) / 2 };
}

/** 'shift': shrink to fit (about the centre) if needed, then move inside the photo. */
export function fitRegion(r: CropRegion, imgWidth: number, imgHeight: number, border: CropBorder): CropRegion {
  if (border === 'pad') return r;
  let { hx, hy } = regionHalfExtent(r);
  const scale = Math.min(1, imgWidth / (2 * hx), imgHeight / (2 * hy));
  hx *= scale;
  hy *= scale;
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  return { ...r, width: r.width * scale, height: r.height * scale, cx: clamp(r.cx, hx, imgWidth - hx), cy: clamp(r.cy, hy, imgHeight - hy) };
}

/**
 * Where align 'similarity' puts the eyes, as fractions of the chip's side before the margin: the
 * eye centres `eyeDistance` apart on a level line `eyeY` down from the top, centred left to
 * right. The values are the medians of the eyes in BlazeFace's face square over realfaces-dev's
 * 1,225 training photos with a face (distance 0.293 of the side, 10-90% 0.272-0.303; eye line
 * 0.320 down, 0.292-0.351), so the aligned chip frames the average face as the box crop does and
 * only the per-photo turn, scale and shift go. (dlib's face chips, which face-api's recognition
 * network was trained on, have the eyes 0.29 of the side apart, 0.30 down, at padding 0.25.)
 */
export const EYE_CHIP = { eyeDistance: 0.293, eyeY: 0.32 } as const;

/**
 * The square (margin 0) a similarity transform maps the eyes to EYE_CHIP's places in: turned by
 * the eye line's angle, side = eye distance / EYE_CHIP.eyeDistance, centre below the eyes'
 * midpoint by (1/2 - eyeY) of the side along the chip's own downward axis.
 */
export function eyeChipRegion(eyes: { left: Point; right: Point }): Omit<CropRegion, 'source'> {
  const angle = eyeAngle(eyes);
  const side = Math.hypot(eyes.right.x - eyes.left.x, eyes.right.y - eyes.left.y) / EYE_CHIP.eyeDistance;
  const down = (0.5 - EYE_CHIP.eyeY) * side;
  // The chip's downward axis in image coordinates is (-sin, cos) (see CropRegion.angle).
  return {
    cx: (eyes.left.x + eyes.right.x) / 2 - Math.sin(angle) * down,
    cy: (eyes.left.y + eyes.right.y) / 2 + Math.cos(angle) * down,
    width: side,
    height: side,
    angle,
  };
}

/** The region around a detected face. */
export function faceRegion(face: Face, imgWidth: number, imgHeight: number, opts: FaceCrop, squares: FaceSquareCalibration = FACE_SQUARE): CropRegion {
  if (opts.align === 'similarity' && face.eyes) {
    const chip = eyeChipRegion(face.eyes);
    const grow = 1 + 2 * opts.margin;
    return fitRegion({ ...chip, width: chip.width * grow, height: chip.height * grow, source: 'face' }, imgWidth, imgHeight, opts.border);
  }
  const box = opts.square ? faceSquare(face, squares) : face.box;
  const grow = 1 + 2 * opts.margin;
  const region: CropRegion = {
    cx: box.x + box.width / 2,
    cy: box.y + box.height / 2,
    width: box.width * grow,
    height: box.height * grow,
    angle: opts.align === 'eyes' && face.eyes ? eyeAngle(face.eyes) : 0,
    source: 'face',
  };
  return fitRegion(region, imgWidth, imgHeight, opts.border);
}

/** The centre crop used when no face was found. */
export function fallbackRegion(imgWidth: number, imgHeight: number, opts: Pick<CropOptions, 'fallbackSide'>): CropRegion {
  const side = opts.fallbackSide * Math.min(imgWidth, imgHeight);
  return { cx: imgWidth / 2, cy: imgHeight / 2, width: side, height: side, angle: 0, source: 'fallback' };
}

/** The region a crop takes for one photo: around its first face, or the centre crop. */
export function cropRegion(record: Pick<DetectionRecord, 'width' | 'height' | 'faces'>, opts: CropOptions, squares: FaceSquareCalibration = FACE_SQUARE): CropRegion {
  const face = primaryFace(record as DetectionRecord);
  return face ? faceRegion(face, record.width, record.height, opts, squares) : fallbackRegion(record.width, record.height, opts);
}

/** Output (u, v) in [0, outWidth] x [0, outHeight] to original coordinates. */
export function regionAffine(r: CropRegion, outWidth: number, outHeight: number): Affine {
  const cos = Math.cos(r.angle);
  const sin = Math.sin(r.angle);
  const sx = r.width / outWidth;
  const sy = r.height / outHeight;
  return {
    a: sx * cos,
    b: -sy * sin,
    c: r.cx - (r.width / 2) * cos + (r.height / 2) * sin,
    d: sx * sin,
    e: sy * cos,
    f: r.cy - (r.width / 2) * sin - (r.height / 2) * cos,
  };
}

export function applyAffine(m: Affine, u: number, v: number): Point {
  return { x: m.a * u + m.b * v + m.c, y: m.d * u + m.e * v + m.f };
}

/** Corners in output order: top-left, top-right, bottom-right, bottom-left. */
export function regionCorners(r: CropRegion): Point[] {
  const m = regionAffine(r, 1, 1);
  return [applyAffine(m, 0, 0), applyAffine(m, 1, 0), applyAffine(m, 1, 1), applyAffine(m, 0, 1)];
}

/**
 * An axis-aligned region rounded to whole pixels (side rounded, then the left/top edge). The
 * fallback uses torchvision CenterCrop's offsets, so it is the cache's centre crop exactly.
 * With border 'shift' the result stays inside the photo.
 */
export function pixelRect(r: CropRegion, imgWidth: number, imgHeight: number): PixelRect {
  if (r.angle !== 0) throw new Error('pixelRect: the region is rotated; use regionAffine');
  const width = Math.max(1, Math.round(r.width));
  const height = Math.max(1, Math.round(r.height));
  if (r.source === 'fallback') {
    const { top, left } = centerCropOffsets(imgHeight, imgWidth, height, width);
    return { left, top, width, height };
  }
  let left = Math.round(r.cx - width / 2);
  let top = Math.round(r.cy - height / 2);
  // A shifted region lies inside up to float rounding; keep its rounding inside too.
  if (width <= imgWidth && r.cx - r.width / 2 >= -1e-9 && r.cx + r.width / 2 <= imgWidth + 1e-9) left = Math.min(Math.max(left, 0), imgWidth - width);
  if (height <= imgHeight && r.cy - r.height / 2 >= -1e-9 && r.cy + r.height / 2 <= imgHeight + 1e-9) top = Math.min(Math.max(top, 0), imgHeight - height);
  return { left, top, width, height };
}
