import { describe, expect, it } from 'vitest';
import { cascadeFace, groupStats, type EvalPhoto } from './evaluate.ts';
import type { DetectionRecord, Face } from './record.ts';
import { containsFace, iou } from './score.ts';

const face = (x: number, y: number, side: number, score: number): Face => ({ box: { x, y, width: side, height: side }, score, detector: 'ssd' });
const rec = (faces: Face[]): DetectionRecord => ({ path: 'p', width: 400, height: 400, faces });

describe('containment', () => {
  it('IoU by hand, and the criterion', () => {
    // 100x100 at (0, 0) and at (50, 0): intersection 5000, union 15000.
    expect(iou({ x: 0, y: 0, width: 100, height: 100 }, { x: 50, y: 0, width: 100, height: 100 })).toBeCloseTo(1 / 3, 12);
    const truth = { x: 100, y: 100, width: 100, height: 100 };
    expect(containsFace({ x: 90, y: 90, width: 120, height: 120 }, truth)).toBe(true); // IoU 10000/14400 = 0.69
    expect(containsFace({ x: 65, y: 65, width: 170, height: 170 }, truth)).toBe(false); // IoU 10000/28900 = 0.35
    expect(containsFace({ x: 130, y: 130, width: 80, height: 80 }, truth)).toBe(false); // IoU 4900/11500 = 0.43
    // The truth plus as much again below: IoU exactly 0.5, centre on the bottom edge: still in.
    expect(containsFace({ x: 100, y: 100, width: 100, height: 200 }, truth)).toBe(true);
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
    const stats = groupStats(photos, (p) => found[p.path]!);
    // a: square 95 about (152.5, 147.5), crop 142.5 -> covers x 81.25..223.75, y 76.25..218.75: all of truth, share 0.49.
    expect(stats).toEqual([
      { group: 'mask1', photos: 2, detected: 2, contains: 1, cropCovers: 1 },
      { group: 'all', photos: 3, detected: 2, contains: 1, cropCovers: 1 },
      { group: 'normal', photos: 1, detected: 0, contains: 0, cropCovers: 0 },
    ]);
  });
});
