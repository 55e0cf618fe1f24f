import type { Look } from './person.ts';
import type { PhotoParams } from './photo-params.ts';
import { CANVAS_HEIGHT, CANVAS_WIDTH, HEAD_SCALE, HEAD_X, HEAD_Y } from './scene-svg.ts';

/*
 * Where the drawn face is, as realfaces-dev-wide's face_boxes.csv states it there: the aligned face
 * square, forehead to chin with a little hair and background around it. Ground truth for
 * calibrating and testing face detection on photos that are not the dev sets; the pipeline never
 * reads it.
 */

/** Top of the head outline in head-local units (faceOutline's top curve at its apex). */
export const HEAD_TOP_Y = -98.75;
/** The square is the forehead-to-chin height plus this share of it on each side ("a little hair and background"). */
export const FACE_SQUARE_MARGIN = 0.05;

export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The face square of one photo in output pixels (x, y: top-left), unrounded. In the cartoon the
 * forehead ends at the head outline's top (the eyes sit 44% down the square, as the eye line of a
 * real face lies about 0.45 of the way from hairline to chin); the bottom is the chin curve's
 * lowest point. The square is the face's own (upright in face coordinates): a turned head moves
 * its centre, not its size.
 */
export function faceBox(look: Pick<Look, 'face'>, p: Pick<PhotoParams, 'dx' | 'dy' | 'rotation' | 'scale'>, width: number, height: number): FaceBox {
  const chin = look.face.chinY + 2.5;
  const side = (chin - HEAD_TOP_Y) * (1 + 2 * FACE_SQUARE_MARGIN);
  const localY = (chin + HEAD_TOP_Y) / 2;
  // Head group: translate(HEAD + d) rotate(rotation) scale(scale * HEAD_SCALE) (scene-svg.ts).
  const k = p.scale * HEAD_SCALE;
  const th = (p.rotation * Math.PI) / 180;
  const cx = HEAD_X + p.dx - k * Math.sin(th) * localY;
  const cy = HEAD_Y + p.dy + k * Math.cos(th) * localY;
  // Canvas to output: viewBox scaled by the larger factor and centred (preserveAspectRatio slice).
  const s = Math.max(width / CANVAS_WIDTH, height / CANVAS_HEIGHT);
  const ox = (width - CANVAS_WIDTH * s) / 2;
  const oy = (height - CANVAS_HEIGHT * s) / 2;
  const sidePx = side * k * s;
  return { x: ox + cx * s - sidePx / 2, y: oy + cy * s - sidePx / 2, width: sidePx, height: sidePx };
}
