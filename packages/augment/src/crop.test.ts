import { describe, expect, it } from 'vitest';
import { centerCropOffsets, centerCropU8, roundHalfEven } from './crop.ts';

function ramp(h: number, w: number, c: number): Uint8Array {
  return Uint8Array.from({ length: h * w * c }, (_, i) => (i * 7 + 3) % 256);
}

describe('roundHalfEven', () => {
  it('rounds ties to the even neighbour like Python round()', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 4, -0, -2, 2, 3]);
  });
});

describe('centerCropOffsets', () => {
  it('uses int(round((size - crop) / 2)) with half-to-even', () => {
    expect(centerCropOffsets(512, 384, 384, 384)).toEqual({ top: 64, left: 0 });
    // (385-384)/2 = 0.5 -> 0; (387-384)/2 = 1.5 -> 2; Math.round would give 1 and 2.
    expect(centerCropOffsets(385, 387, 384, 384)).toEqual({ top: 0, left: 2 });
    expect(centerCropOffsets(389, 391, 384, 384)).toEqual({ top: 2, left: 4 });
  });

  it('gives negative offsets (zero padding) when the crop is larger than the image', () => {
    // torchvision pads left/top with (crop - size) // 2.
    expect(centerCropOffsets(100, 51, 80, 80)).toEqual({ top: 10, left: -14 });
    expect(centerCropOffsets(3, 4, 8, 9)).toEqual({ top: -2, left: -2 });
  });

  it('rejects sizes that are not positive integers', () => {
    expect(() => centerCropOffsets(0, 10, 5, 5)).toThrow(/h must be a positive integer/);
    expect(() => centerCropOffsets(10, 10, 5.5, 5)).toThrow(/cropH/);
  });
});

describe('centerCropU8', () => {
  it('copies the centred window', () => {
    const [h, w, c] = [7, 6, 3];
    const src = ramp(h, w, c);
    const out = centerCropU8(src, h, w, c, 4, 3);
    const { top, left } = centerCropOffsets(h, w, 4, 3);
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 3; x++)
        for (let k = 0; k < c; k++) expect(out[(y * 3 + x) * c + k]).toBe(src[((y + top) * w + x + left) * c + k]);
  });

  it('pads with 0 where the crop extends past the image, as torchvision does', () => {
    const [h, w, c] = [4, 51, 1];
    const src = new Uint8Array(h * w).fill(200);
    const out = centerCropU8(src, h, w, c, 2, 80);
    // 14 zero columns left, 15 right, 51 image columns between.
    const row = Array.from(out.subarray(0, 80));
    expect(row.slice(0, 14).every((v) => v === 0)).toBe(true);
    expect(row.slice(14, 65).every((v) => v === 200)).toBe(true);
    expect(row.slice(65).every((v) => v === 0)).toBe(true);
  });

  it('returns all zeros around a tiny image', () => {
    const out = centerCropU8(Uint8Array.of(9), 1, 1, 1, 3, 3);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 9, 0, 0, 0, 0]);
  });

  it('names the mismatch when the buffer size is wrong', () => {
    expect(() => centerCropU8(new Uint8Array(10), 2, 2, 3, 1, 1)).toThrow(/10 bytes, expected/);
  });
});
