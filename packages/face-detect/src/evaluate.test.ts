import { describe, expect, it } from 'vitest';
import { cascadeFace, groupStats, type EvalPhoto } from './evaluate.ts';
import type { DetectionRecord, Face } from './record.ts';
import { cropOptionsSchema, type FaceSquareCalibration } from './geometry.ts';
import { containsFace, iou, matchesSquare } from './score.ts';

const face = (x: number, y: number, side: number, score: number): Face => ({ box: { x, y, width: side, height: side }, score, detector: 'ssd' });
const rec = (faces: Face[]): DetectionRecord => ({ path: 'p', width: 400, height: 400, faces });

describe('containment', () => {
  it('IoU by hand, and the two criteria', () => {
    // 100x100 at (0, 0) and at (50, 0): intersection 5000, union 15000.
    expect(iou({ x: 0, y: 0, width: 100, height: 100 }, { x: 50, y: 0, width: 100, height: 100 })).toBeCloseTo(1 / 3, 12);
    const truth = { x: 100, y: 100, width: 100, height: 100 };
    // 1.2x the side, concentric: covers it all, the face fills 0.69; IoU 10000/14400 = 0.69
    expect(containsFace({ x: 90, y: 90, width: 120, height: 120 }, truth)).toBe(true);
    expect(matchesSquare({ x: 90, y: 90, width: 120, height: 120 }, truth)).toBe(true);
    // 1.7x: still contains it at its scale (share 0.35), but IoU 10000/28900 = 0.35
    expect(containsFace({ x: 65, y: 65, width: 170, height: 170 }, truth)).toBe(true);
    expect(matchesSquare({ x: 65, y: 65, width: 170, height: 170 }, truth)).toBe(false);
    // 2.2x: the face fills 0.21 of it, less than a quarter: too large to say where the face is
    expect(containsFace({ x: 40, y: 40, width: 220, height: 220 }, truth)).toBe(false);
    // 80x80 at the lower right: covers 70x70 = 49% of it
    expect(containsFace({ x: 130, y: 130, width: 80, height: 80 }, truth)).toBe(false);
    expect(matchesSquare({ x: 130, y: 130, width: 80, height: 80 }, truth)).toBe(false); // IoU 4900/11500 = 0.43
    // the truth plus as much again below: covers it all, IoU exactly 0.5, centre on the bottom edge: in
    expect(containsFace({ x: 100, y: 100, width: 100, height: 200 }, truth)).toBe(true);
    expect(matchesSquare({ x: 100, y: 100, width: 100, height: 200 }, truth)).toBe(true);
    // covers it all (share 0.45) but its centre (210, 150) lies beside it
    expect(containsFace({ x: 100, y: 100, width: 220, height: 100 }, truth)).toBe(false);
  });
});

describe('cascadeFace', () => {
  const strong = face(100, 100, 100, 0.9);
  const weakBig = face(0, 0, 300, 0.3);
  it('the first detector with a face at its score answers, largest first', () => {
    expect(cascadeFace([rec([weakBig]), rec([strong])], [{ minScore: 0.5 }, { minScore: 0.5 }], 'largest')).toBe(strong);
    expect(cascadeFace([rec([weakBig, strong]), rec([])], [{ minScore: 0.2 }, { minScore: 0.5 }], 'largest')).toBe(weakBig);
    expect(cascadeFace([rec([weakBig, strong]), rec([])], [{ minScore: 0.2 }, { minScore: 0.5 }], 'score')).toBe(strong);
    expect(cascadeFace([rec([weakBig]), undefined], [{ minScore: 0.5 }, { minScore: 0.5 }], 'largest')).toBeNull();
  });

  it('drops boxes below minFaceSize of the shorter side, so the next detector answers', () => {
    const small = face(10, 10, 99, 0.9); // 99 px in a 400 px photo: under a quarter
    const quarter = face(200, 200, 100, 0.4); // exactly a quarter: kept
    expect(cascadeFace([rec([small]), rec([quarter])], [{ minScore: 0.2 }, { minScore: 0.2 }], 'score', 0.25)).toBe(quarter);
    expect(cascadeFace([rec([small, quarter])], [{ minScore: 0.2 }], 'score', 0.25)).toBe(quarter);
    expect(cascadeFace([rec([small])], [{ minScore: 0.2 }], 'score', 0.25)).toBeNull();
    expect(cascadeFace([rec([small])], [{ minScore: 0.2 }], 'score')).toBe(small);
  });
});

describe('groupStats', () => {
  it('counts detection, containment and crop cover per group', () => {
    const truth = { x: 100, y: 100, width: 100, height: 100 };
    const photos: EvalPhoto[] = [
      { path: 'a', groups: ['mask1', 'all'], face: truth, width: 400, height: 400 }, // found, contained
      { path: 'b', groups: ['mask1', 'all'], face: truth, width: 400, height: 400 }, // found elsewhere
      { path: 'c', groups: ['normal', 'all'], face: truth, width: 400, height: 400 }, // not found: fallback 400x400 crop, face share 1/16
    ];
    const found: Record<string, Face | null> = { a: face(105, 100, 95, 0.9), b: face(300, 300, 60, 0.9), c: null };
    // the detector's own box as the face square, margin 0.25
    const identity: FaceSquareCalibration = { ssd: { scale: 1, offsetY: 0 }, tiny: { scale: 1, offsetY: 0 }, blazeface: { scale: 1, offsetY: 0 } };
    const stats = groupStats(photos, (p) => found[p.path]!, cropOptionsSchema.parse({ margin: 0.25 }), identity);
    // a: square 95 at (105, 100) covers 95x95 = 90.25% of truth, IoU 0.9025; its crop 142.5 about
    // (152.5, 147.5) covers x 81.25..223.75, y 76.25..218.75: all of truth, share 0.49.
    expect(stats).toEqual([
      { group: 'mask1', photos: 2, detected: 2, contains: 1, matches: 1, cropCovers: 1 },
      { group: 'all', photos: 3, detected: 2, contains: 1, matches: 1, cropCovers: 1 },
      { group: 'normal', photos: 1, detected: 0, contains: 0, matches: 0, cropCovers: 0 },
    ]);
  });
});
