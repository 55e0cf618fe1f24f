import { describe, expect, it } from 'vitest';
import { hwcToChw, normalizeLut, normalizeToFloat } from './normalize.ts';

const mean = [0.485, 0.456, 0.406];
const std = [0.229, 0.224, 0.225];

describe('normalizeToFloat', () => {
  it('computes ((x/255) - mean)/std per channel in float32 steps', () => {
    const f = Math.fround;
    const src = Uint8Array.of(0, 128, 255, 17, 200, 3);
    const out = normalizeToFloat(src, mean, std);
    for (let i = 0; i < src.length; i++) {
      const c = i % 3;
      expect(out[i]).toBe(f(f(f(src[i]! / 255) - f(mean[c]!)) / f(std[c]!)));
    }
    expect(out[2]).toBeCloseTo((1 - 0.406) / 0.225, 5);
  });

  it('writes into a given buffer and checks its size', () => {
    const out = new Float32Array(3);
    expect(normalizeToFloat(Uint8Array.of(1, 2, 3), mean, std, out)).toBe(out);
    expect(() => normalizeToFloat(Uint8Array.of(1, 2, 3), mean, std, new Float32Array(6))).toThrow(/expected 3/);
  });

  it('rejects bad statistics and ragged buffers', () => {
    expect(() => normalizeToFloat(new Uint8Array(3), mean, [1, 0, 1])).toThrow(/std values must be > 0/);
    expect(() => normalizeToFloat(new Uint8Array(4), mean, std)).toThrow(/not a multiple of 3/);
    expect(() => normalizeLut([0.5], std)).toThrow(/1 and 3/);
  });
});

describe('hwcToChw', () => {
  it('moves channels to the front', () => {
    // 1x2 image, 3 channels: pixels (1,2,3) and (4,5,6).
    expect(Array.from(hwcToChw([1, 2, 3, 4, 5, 6], 1, 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
