import { describe, expect, it } from 'vitest';
import { Rng } from '@facemask/contracts';
import { resizeShorterEdge, resizeU8 } from './resize.ts';

/** Antialiased triangle filter in float64 without fixed point or intermediate rounding. */
function floatResize(src: Uint8Array, h: number, w: number, c: number, oh: number, ow: number): Float64Array {
  const weights = (inSize: number, outSize: number) => {
    const scale = inSize / outSize;
    const fs = Math.max(1, scale);
    return Array.from({ length: outSize }, (_, o) => {
      const center = (o + 0.5) * scale;
      const taps: [number, number][] = [];
      let sum = 0;
      for (let i = 0; i < inSize; i++) {
        const wt = Math.max(0, 1 - Math.abs((i + 0.5 - center) / fs));
        if (wt > 0) {
          taps.push([i, wt]);
          sum += wt;
        }
      }
      return taps.map(([i, wt]) => [i, wt / sum] as [number, number]);
    });
  };
  const wx = weights(w, ow);
  const wy = weights(h, oh);
  const out = new Float64Array(oh * ow * c);
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++)
      for (let k = 0; k < c; k++) {
        let s = 0;
        for (const [iy, ay] of wy[y]!) for (const [ix, ax] of wx[x]!) s += ay * ax * src[(iy * w + ix) * c + k]!;
        out[(y * ow + x) * c + k] = s;
      }
  return out;
}

function noise(n: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  return Uint8Array.from({ length: n }, () => rng.int(0, 256));
}

describe('resizeU8', () => {
  it('returns an equal copy when the size does not change', () => {
    const src = noise(5 * 4 * 3, 1);
    const out = resizeU8(src, 5, 4, 3, 5, 4);
    expect(out).not.toBe(src);
    expect(Array.from(out)).toEqual(Array.from(src));
  });

  it('keeps a constant image constant when shrinking and enlarging', () => {
    for (const v of [0, 1, 128, 254, 255]) {
      const src = new Uint8Array(13 * 17 * 3).fill(v);
      for (const [oh, ow] of [[5, 4], [30, 40], [13, 6], [1, 1]] as const) {
        expect(resizeU8(src, 13, 17, 3, oh, ow).every((x) => x === v)).toBe(true);
      }
    }
  });

  it('is within 1 of the exact antialiased filter (down, up, mixed, 1 and 4 channels)', () => {
    const shapes: [number, number, number, number, number][] = [
      [40, 30, 3, 13, 11],
      [9, 7, 3, 20, 15],
      [32, 20, 1, 8, 33],
      [25, 25, 4, 25, 9],
      [31, 17, 3, 10, 17],
    ];
    for (const [h, w, c, oh, ow] of shapes) {
      const src = noise(h * w * c, h * 100 + w);
      const ours = resizeU8(src, h, w, c, oh, ow);
      const ref = floatResize(src, h, w, c, oh, ow);
      let max = 0;
      for (let i = 0; i < ours.length; i++) max = Math.max(max, Math.abs(ours[i]! - ref[i]!));
      expect(max, `${h}x${w}->${oh}x${ow}`).toBeLessThan(1.01);
    }
  });

  it('averages over the widened support when shrinking (antialias), unlike plain bilinear', () => {
    // Alternate 0/255 columns shrunk 4x: a 2-tap bilinear picks near-pure values, PIL blurs to ~128.
    const w = 64;
    const src = Uint8Array.from({ length: 2 * w }, (_, i) => (i % 2 ? 255 : 0));
    const out = resizeU8(src, 2, w, 1, 2, w / 4);
    for (const v of out.subarray(1, w / 4 - 1)) expect(Math.abs(v - 127.5)).toBeLessThan(20);
  });

  it('rejects wrong buffer sizes and bad dimensions', () => {
    expect(() => resizeU8(new Uint8Array(11), 2, 2, 3, 1, 1)).toThrow(/11 bytes, expected/);
    expect(() => resizeU8(new Uint8Array(12), 2, 2, 3, 0, 1)).toThrow(/outH must be a positive integer/);
  });
});

describe('resizeShorterEdge', () => {
  it('matches torchvision Resize(int): shorter edge = size, longer = int(size * long / short)', () => {
    expect(resizeShorterEdge(512, 384, 224)).toEqual([298, 224]);
    expect(resizeShorterEdge(384, 512, 224)).toEqual([224, 298]);
    expect(resizeShorterEdge(384, 384, 224)).toEqual([224, 224]);
    expect(resizeShorterEdge(100, 300, 7)).toEqual([7, 21]);
  });
});
