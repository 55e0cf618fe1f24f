import { describe, expect, it } from 'vitest';
import type { CropRegion } from './geometry.ts';
import type { RgbImage } from './image.ts';
import { cropPixels } from './warp.ts';

/** 4x3 image whose pixel (x, y) is [10x + y, 100 + y, 200]: every pixel tells where it came from. */
const W = 4;
const H = 3;
const img: RgbImage = {
  width: W,
  height: H,
  data: Uint8Array.from({ length: W * H * 3 }, (_v, i) => {
    const p = Math.floor(i / 3);
    const [x, y] = [p % W, Math.floor(p / W)];
    return [10 * x + y, 100 + y, 200][i % 3]!;
  }),
};
const px = (out: Uint8Array, size: number, u: number, v: number) => [...out.subarray((v * size + u) * 3, (v * size + u) * 3 + 3)];
const region = (r: Partial<CropRegion>): CropRegion => ({ cx: 0, cy: 0, width: 2, height: 2, angle: 0, source: 'face', ...r });

describe('cropPixels', () => {
  it('an axis-aligned region at output size is the pixels it covers', () => {
    // centre (2, 2), side 2: pixels x 1..2, y 1..2.
    const out = cropPixels(img, region({ cx: 2, cy: 2 }), 2);
    expect([px(out, 2, 0, 0), px(out, 2, 1, 0), px(out, 2, 0, 1), px(out, 2, 1, 1)]).toEqual([
      [11, 101, 200],
      [21, 101, 200],
      [12, 102, 200],
      [22, 102, 200],
    ]);
  });

  it("outside the photo is 0 (border 'pad')", () => {
    // centre (0, 0), side 2: pixels x -1..0, y -1..0; only (0, 0) is inside.
    const out = cropPixels(img, region({ cx: 0, cy: 0 }), 2);
    expect([px(out, 2, 0, 0), px(out, 2, 1, 0), px(out, 2, 0, 1), px(out, 2, 1, 1)]).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
      [0, 100, 200],
    ]);
  });

  it('a region turned 90 degrees samples the photo turned', () => {
    // Output (u, v) centre -> photo (cx - t, cy + s) with s, t the offsets from the region centre:
    // output top-left (s = t = -0.5) reads photo (2.5, 1.5) = pixel (2, 1); top-right (s = +0.5) reads (2, 2).
    const out = cropPixels(img, region({ cx: 2, cy: 2, angle: Math.PI / 2 }), 2);
    expect([px(out, 2, 0, 0), px(out, 2, 1, 0), px(out, 2, 0, 1), px(out, 2, 1, 1)]).toEqual([
      [21, 101, 200],
      [22, 102, 200],
      [11, 101, 200],
      [12, 102, 200],
    ]);
  });

  it('a fallback region of a 384x512 photo is its CenterCrop(384) resized', () => {
    const big: RgbImage = { width: 384, height: 512, data: new Uint8Array(384 * 512 * 3) };
    for (let y = 0; y < 512; y++) big.data.fill(y < 64 || y >= 448 ? 255 : 7, y * 384 * 3, (y + 1) * 384 * 3);
    const out = cropPixels(big, { cx: 192, cy: 256, width: 384, height: 384, angle: 0, source: 'fallback' }, 32);
    expect(out.every((v) => v === 7)).toBe(true);
  });
});
