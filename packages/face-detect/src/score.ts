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
export const CONTAINS = { minIou: 0.5 } as const;

/**
 * The box contains the face: IoU with the ground-truth square at least 0.5 (the PASCAL VOC
 * detection criterion) and the box's centre inside the square. IoU >= 0.5 almost implies the
 * centre rule; it stays as a guard that states the intent (the box is on the face, not beside it).
 */
export function containsFace(box: Box, truth: Box): boolean {
  return iou(box, truth) >= CONTAINS.minIou && centreInside(box, truth);
}
