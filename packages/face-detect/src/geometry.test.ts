import { describe, expect, it } from 'vitest';
import {
  applyAffine,
  cropOptionsSchema,
  cropRegion as cropRegionCalibrated,
  eyeAngle,
  faceRegion as faceRegionCalibrated,
  faceSquare,
  fallbackRegion,
  fitRegion,
  pixelRect,
  regionAffine,
  regionCorners,
  type CropOptions,
  type CropRegion,
  type FaceSquareCalibration,
} from './geometry.ts';
import type { Face } from './record.ts';

const opts = (o: object = {}) => cropOptionsSchema.parse(o);
// The region arithmetic is tested with boxes taken as face squares as they are (scale 1, no shift);
// the calibration has its own test.
const IDENTITY: FaceSquareCalibration = { ssd: { scale: 1, offsetY: 0 }, tiny: { scale: 1, offsetY: 0 }, blazeface: { scale: 1, offsetY: 0 } };
const faceRegion = (f: Face, w: number, h: number, o: CropOptions) => faceRegionCalibrated(f, w, h, o, IDENTITY);
const cropRegion = (r: Parameters<typeof cropRegionCalibrated>[0], o: CropOptions) => cropRegionCalibrated(r, o, IDENTITY);
const face = (x: number, y: number, width: number, height: number, extra: Partial<Face> = {}): Face => ({ box: { x, y, width, height }, score: 0.9, detector: 'ssd', ...extra });

describe('faceRegion', () => {
  it('square with margin around the box centre (hand-computed)', () => {
    // box 100x80 at (50, 60): centre (100, 100); longer side 100, margin 0.25 -> side 150.
    const r = faceRegion(face(50, 60, 100, 80), 400, 400, opts({ margin: 0.25 }));
    expect(r).toEqual({ cx: 100, cy: 100, width: 150, height: 150, angle: 0, source: 'face' });
    expect(pixelRect(r, 400, 400)).toEqual({ left: 25, top: 25, width: 150, height: 150 });
  });

  it('not square: the box aspect plus margins', () => {
    const r = faceRegion(face(50, 60, 100, 80), 400, 400, opts({ margin: 0.5, square: false }));
    expect(r).toMatchObject({ cx: 100, cy: 100, width: 200, height: 160 });
  });

  it("border 'shift' moves a region at the edge back inside, keeping its size", () => {
    // box 100x100 at (0, 10): centre (50, 60), side 150 -> would start at x = -25, y = -15.
    const r = faceRegion(face(0, 10, 100, 100), 300, 400, opts({ margin: 0.25 }));
    expect(r).toMatchObject({ cx: 75, cy: 75, width: 150, height: 150 });
    expect(pixelRect(r, 300, 400)).toEqual({ left: 0, top: 0, width: 150, height: 150 });
  });

  it("border 'shift' shrinks a region larger than the photo, then fits it", () => {
    // box 200x200 at (0, 100) in 240x480: side 300 > 240 -> side 240, centre x 120, y 200.
    const r = faceRegion(face(0, 100, 200, 200), 240, 480, opts({ margin: 0.25 }));
    expect(r).toMatchObject({ cx: 120, cy: 200, width: 240, height: 240 });
  });

  it("border 'pad' keeps the face centred and the region reaching outside", () => {
    const r = faceRegion(face(0, 10, 100, 100), 300, 400, opts({ margin: 0.25, border: 'pad' }));
    expect(r).toMatchObject({ cx: 50, cy: 60, width: 150, height: 150 });
    expect(pixelRect(r, 300, 400)).toEqual({ left: -25, top: -15, width: 150, height: 150 });
  });

  it('aligns by the eyes: the angle of the eye line', () => {
    const eyes = { left: { x: 80, y: 90 }, right: { x: 120, y: 130 } }; // 45 degrees down to the right
    expect(eyeAngle(eyes)).toBeCloseTo(Math.PI / 4, 12);
    const r = faceRegion(face(50, 50, 100, 100, { eyes }), 1000, 1000, opts({ margin: 0, align: 'eyes' }));
    expect(r.angle).toBeCloseTo(Math.PI / 4, 12);
    // Without eye points the region is not turned.
    expect(faceRegion(face(50, 50, 100, 100), 1000, 1000, opts({ align: 'eyes' })).angle).toBe(0);
    // align 'none' ignores the eyes.
    expect(faceRegion(face(50, 50, 100, 100, { eyes }), 1000, 1000, opts()).angle).toBe(0);
  });

  it("a rotated region near the edge: 'shift' fits its bounding box", () => {
    // side 100 at 45 degrees: bounding box half-extent 50*sqrt(2) = 70.71.
    const r0: CropRegion = { cx: 10, cy: 500, width: 100, height: 100, angle: Math.PI / 4, source: 'face' };
    const r = fitRegion(r0, 1000, 1000, 'shift');
    expect(r.cx).toBeCloseTo(50 * Math.SQRT2, 9);
    expect(r.cy).toBe(500);
    for (const p of regionCorners(r)) expect(p.x).toBeGreaterThanOrEqual(-1e-9);
  });
});

describe('faceSquare', () => {
  it('scales the longer side and moves the centre down by offsetY * side (hand-computed)', () => {
    const squares: FaceSquareCalibration = { ...IDENTITY, blazeface: { scale: 0.8, offsetY: 0.05 } };
    // box 200x180 at (100, 50): centre (200, 140); side 0.8 * 200 = 160; centre y 140 + 0.05 * 160 = 148.
    expect(faceSquare(face(100, 50, 200, 180, { detector: 'blazeface' }), squares)).toEqual({ x: 120, y: 68, width: 160, height: 160 });
    // The crop region grows the face square, not the raw box: 160 * 1.5 = 240 about (200, 148).
    const r = faceRegionCalibrated(face(100, 50, 200, 180, { detector: 'blazeface' }), 1000, 1000, opts({ margin: 0.25 }), squares);
    expect(r).toMatchObject({ cx: 200, cy: 148, width: 240, height: 240 });
    // square: false ignores the calibration: the raw box plus margins.
    expect(faceRegionCalibrated(face(100, 50, 200, 180, { detector: 'blazeface' }), 1000, 1000, opts({ margin: 0.25, square: false }), squares)).toMatchObject({ cx: 200, cy: 140, width: 300, height: 270 });
  });
});

describe('regionAffine', () => {
  it('maps the output corners to the region corners (axis-aligned)', () => {
    const r: CropRegion = { cx: 100, cy: 50, width: 40, height: 20, angle: 0, source: 'face' };
    const m = regionAffine(r, 10, 10);
    expect(applyAffine(m, 0, 0)).toEqual({ x: 80, y: 40 });
    expect(applyAffine(m, 10, 10)).toEqual({ x: 120, y: 60 });
    expect(applyAffine(m, 5, 5)).toEqual({ x: 100, y: 50 });
  });

  it('turns by the angle: at 90 degrees the output x axis runs down the photo', () => {
    const r: CropRegion = { cx: 100, cy: 100, width: 20, height: 20, angle: Math.PI / 2, source: 'face' };
    const [tl, tr, br, bl] = regionCorners(r);
    // Output top-left (-10,-10 about the centre) turned 90 degrees clockwise on screen: (+10, -10).
    expect(tl!.x).toBeCloseTo(110, 9);
    expect(tl!.y).toBeCloseTo(90, 9);
    expect(tr!.x).toBeCloseTo(110, 9);
    expect(tr!.y).toBeCloseTo(110, 9);
    expect(br!.x).toBeCloseTo(90, 9);
    expect(br!.y).toBeCloseTo(110, 9);
    expect(bl!.x).toBeCloseTo(90, 9);
    expect(bl!.y).toBeCloseTo(90, 9);
  });
});

describe('fallback', () => {
  it('no face: the centred square of the shorter side, as torchvision CenterCrop(384) on 384x512', () => {
    const r = cropRegion({ width: 384, height: 512, faces: [] }, opts());
    expect(r).toEqual({ cx: 192, cy: 256, width: 384, height: 384, angle: 0, source: 'fallback' });
    expect(pixelRect(r, 384, 512)).toEqual({ left: 0, top: 64, width: 384, height: 384 });
  });

  it('a smaller fallback square, offsets rounded like CenterCrop (half to even)', () => {
    // side 0.5 * 101 = 50.5, rounded to 51; offsets (101 - 51) / 2 = 25 and (201 - 51) / 2 = 75.
    const r = fallbackRegion(101, 201, { fallbackSide: 0.5 });
    expect(pixelRect(r, 101, 201)).toEqual({ left: 25, top: 75, width: 51, height: 51 });
  });

  it('a face record uses its first face', () => {
    const r = cropRegion({ width: 400, height: 400, faces: [face(50, 60, 100, 80), face(300, 300, 10, 10)] }, opts({ margin: 0.25 }));
    expect(r.source).toBe('face');
    expect(r.cx).toBe(100);
  });
});

describe('cropOptionsSchema', () => {
  it('is strict and fills defaults', () => {
    expect(opts()).toEqual({ margin: 0.1, square: true, align: 'none', border: 'shift', size: 224, fallbackSide: 1 });
    expect(() => cropOptionsSchema.parse({ marign: 0.2 })).toThrow();
    expect(() => cropOptionsSchema.parse({ border: 'clamp' })).toThrow();
  });
});
