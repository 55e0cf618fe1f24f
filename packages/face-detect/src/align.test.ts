import { describe, expect, it } from 'vitest';
import { applyAffine, cropOptionsSchema, EYE_CHIP, eyeChipRegion, faceRegion, regionAffine } from './geometry.ts';
import type { RgbImage } from './image.ts';
import type { Face } from './record.ts';
import { cropPixels } from './warp.ts';

const opts = (o: object = {}) => cropOptionsSchema.parse({ align: 'similarity', ...o });
const blaze = (eyes: Face['eyes'], box = { x: 0, y: 0, width: 300, height: 300 }): Face => ({ box, score: 0.9, detector: 'blazeface', ...(eyes ? { eyes } : {}) });

describe("align 'similarity': the eyes to the canonical chip", () => {
  it('level eyes 60 px apart (hand-computed)', () => {
    // side = 60 / 0.293 = 204.778; centre: below the midpoint (130, 200) by (0.5 - 0.32) * side = 36.860.
    const r = eyeChipRegion({ left: { x: 100, y: 200 }, right: { x: 160, y: 200 } });
    expect(r.angle).toBe(0);
    expect(r.width).toBeCloseTo(204.778, 3);
    expect(r.height).toBeCloseTo(204.778, 3);
    expect(r.cx).toBeCloseTo(130, 9);
    expect(r.cy).toBeCloseTo(236.860, 3);
  });

  it('eyes on a line turned by 30 degrees land on the chip\'s eye places, and the margin grows the chip about its centre', () => {
    const left = { x: 100, y: 100 };
    const right = { x: 100 + 60 * Math.cos(Math.PI / 6), y: 100 + 60 * Math.sin(Math.PI / 6) };
    const r = faceRegion(blaze({ left, right }), 1000, 1000, opts({ margin: 0, border: 'pad' }));
    expect(r.angle).toBeCloseTo(Math.PI / 6, 12);
    // On a 100 px chip the eyes sit at x = 50 -/+ 14.65 and y = 32.
    const m = regionAffine(r, 100, 100);
    const half = (100 * EYE_CHIP.eyeDistance) / 2;
    const l = applyAffine(m, 50 - half, 32);
    const rr = applyAffine(m, 50 + half, 32);
    expect(l.x).toBeCloseTo(left.x, 9);
    expect(l.y).toBeCloseTo(left.y, 9);
    expect(rr.x).toBeCloseTo(right.x, 9);
    expect(rr.y).toBeCloseTo(right.y, 9);
    // Margin 0.1: the side 1.2 times as long, the same centre and turn.
    const grown = faceRegion(blaze({ left, right }), 1000, 1000, opts({ margin: 0.1, border: 'pad' }));
    expect(grown.width).toBeCloseTo(1.2 * r.width, 9);
    expect([grown.cx, grown.cy, grown.angle]).toEqual([r.cx, r.cy, r.angle]);
  });

  it('a face without eye points keeps its box, unturned', () => {
    const r = faceRegion(blaze(undefined, { x: 100, y: 100, width: 100, height: 100 }), 1000, 1000, opts({ margin: 0 }));
    expect(r).toMatchObject({ cx: 150, cy: 150, width: 100, height: 100, angle: 0 });
  });

  it('the pixels: two dots placed as turned eyes come out level at the chip\'s eye places', () => {
    // A 400x400 black photo with 5x5 white dots centred on eyes 80 px apart on a line turned by
    // -20 degrees (the right eye higher), as a tilted head would have them.
    const W = 400;
    const data = new Uint8Array(W * W * 3);
    const th = (-20 * Math.PI) / 180;
    const left = { x: 160, y: 220 };
    const right = { x: 160 + 80 * Math.cos(th), y: 220 + 80 * Math.sin(th) };
    for (const e of [left, right]) {
      for (let y = Math.round(e.y) - 2; y <= Math.round(e.y) + 2; y++) for (let x = Math.round(e.x) - 2; x <= Math.round(e.x) + 2; x++) data.fill(255, (y * W + x) * 3, (y * W + x) * 3 + 3);
    }
    const img: RgbImage = { data, width: W, height: W };
    const size = 150;
    const out = cropPixels(img, faceRegion(blaze({ left, right }), W, W, opts({ margin: 0, border: 'pad' })), size);
    // Brightness-weighted centre of each half of the chip.
    const centroid = (u0: number, u1: number) => {
      let s = 0;
      let su = 0;
      let sv = 0;
      for (let v = 0; v < size; v++) {
        for (let u = u0; u < u1; u++) {
          const b = out[(v * size + u) * 3]!;
          s += b;
          su += b * (u + 0.5);
          sv += b * (v + 0.5);
        }
      }
      return { u: su / s, v: sv / s };
    };
    // Expected: x = 75 -/+ 0.293 * 150 / 2 = 53.03 and 96.98, y = 0.32 * 150 = 48 (within a pixel:
    // the dots are whole pixels rounded from the eye points).
    const a = centroid(0, 75);
    const b = centroid(75, 150);
    expect(Math.abs(a.u - 53.03)).toBeLessThan(1);
    expect(Math.abs(b.u - 96.98)).toBeLessThan(1);
    expect(Math.abs(a.v - 48)).toBeLessThan(1);
    expect(Math.abs(b.v - 48)).toBeLessThan(1);
  });
});
