import type { Box } from './record.ts';

/*
 * How well a detection "contains the face", against a ground-truth face square (the pasted,
 * aligned face crop of realfaces-dev-wide: forehead to chin with a little hair and background).
 */

export function intersection(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

export function iou(a: Box, b: Box): number {
  const inter = intersection(a, b);
  return inter / (a.width * a.height + b.width * b.height - inter);
}

export function centre(b: Box): { x: number; y: number } {
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

export function centreInside(inner: Box, outer: Box): boolean {
  const c = centre(inner);
  return c.x >= outer.x && c.x <= outer.x + outer.width && c.y >= outer.y && c.y <= outer.y + outer.height;
}

/** Share of `target` that `cover` covers, 0..1. */
export function coverage(cover: Box, target: Box): number {
  return intersection(cover, target) / (target.width * target.height);
}

/** The thresholds of the containment criterion (README: "How containment is judged"). */
export const CONTAINS = { minCoverage: 0.9, minShare: 0.25 } as const;

/**
 * The box contains the face: it covers at least 90% of the ground-truth square, at the face's
 * scale (the square fills at least a quarter of the box: the box is at most twice its side, not the
 * whole photo), and its centre lies inside the square (it is on the face, not beside it). It does
 * not ask the box to follow the ground truth's own framing convention: matchesSquare does.
 */
export function containsFace(box: Box, truth: Box): boolean {
  return coverage(box, truth) >= CONTAINS.minCoverage && (truth.width * truth.height) / (box.width * box.height) >= CONTAINS.minShare && centreInside(box, truth);
}

/**
 * The stricter PASCAL VOC detection criterion: IoU with the ground-truth square at least 0.5 and
 * the centre inside. Met only when the face square follows the ground truth's framing convention
 * (the scale and offset FACE_SQUARE maps a detector's box by).
 */
export function matchesSquare(box: Box, truth: Box): boolean {
  return iou(box, truth) >= 0.5 && centreInside(box, truth);
}
