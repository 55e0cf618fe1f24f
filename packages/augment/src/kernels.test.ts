import { describe, expect, it } from 'vitest';
import { Rng } from '@facemask/contracts';
import { addGaussianNoise, adjustHue, colorJitter, cropU8, cutmixBatch, fillRect, flipF32, flipU8, mixupBatch, normalizeInPlace, toUnit } from './kernels.ts';
import { normalizeToFloat } from './normalize.ts';

const mean = [0.485, 0.456, 0.406];
const std = [0.229, 0.224, 0.225];

describe('kernels', () => {
  it('toUnit + normalizeInPlace equals the exact ToTensor+Normalize lookup', () => {
    const src = Uint8Array.from({ length: 256 * 3 }, (_, i) => i % 256);
    const x = new Float32Array(src.length);
    toUnit(src, x);
    normalizeInPlace(x, mean, std);
    expect(Array.from(x)).toEqual(Array.from(normalizeToFloat(src, mean, std)));
  });

  it('crops and mirrors HWC images', () => {
    // 2x3 image, 1 channel: rows [1 2 3] [4 5 6].
    const img = Uint8Array.of(1, 2, 3, 4, 5, 6);
    expect(Array.from(cropU8(img, 2, 3, 1, { top: 1, left: 1, height: 1, width: 2 }))).toEqual([5, 6]);
    expect(Array.from(flipU8(img, 2, 3, 1))).toEqual([3, 2, 1, 6, 5, 4]);
    expect(() => cropU8(img, 2, 3, 1, { top: 1, left: 2, height: 1, width: 2 })).toThrow(/not inside a 2x3 image/);
    const rgb = Float32Array.of(1, 2, 3, 4, 5, 6);
    expect(Array.from(flipF32(rgb, 2, new Float32Array(6)))).toEqual([4, 5, 6, 1, 2, 3]);
  });

  it('colorJitter with all factors 1 changes nothing; brightness 0 gives black', () => {
    const rng = new Rng(1);
    const x = Float32Array.from({ length: 30 }, () => rng.next());
    const y = x.slice();
    colorJitter(y, ['saturation', 'hue', 'contrast', 'brightness'], { brightness: 1, contrast: 1, saturation: 1, hue: 0 });
    expect(Array.from(y)).toEqual(Array.from(x));
    colorJitter(y, ['brightness'], { brightness: 0, contrast: 1, saturation: 1, hue: 0 });
    expect(y.every((v) => v === 0)).toBe(true);
  });

  it('saturation 0 turns a photo grey with torchvision weights', () => {
    const x = Float32Array.of(1, 0, 0, 0, 1, 0);
    colorJitter(x, ['saturation'], { brightness: 1, contrast: 1, saturation: 0, hue: 0 });
    expect(Array.from(x).map((v) => +v.toFixed(4))).toEqual([0.2989, 0.2989, 0.2989, 0.587, 0.587, 0.587]);
  });

  it('adjustHue turns the colour wheel like torchvision: red to green at a third, greys untouched', () => {
    const round = (x: Float32Array) => Array.from(x).map((v) => +v.toFixed(5));
    // Pure red, orange (hue 30 degrees) and a grey.
    const x = Float32Array.of(1, 0, 0, 1, 0.5, 0, 0.4, 0.4, 0.4);
    const third = x.slice();
    adjustHue(third, 1 / 3);
    expect(round(third)).toEqual([0, 1, 0, 0, 1, 0.5, 0.4, 0.4, 0.4]);
    const back = x.slice();
    adjustHue(back, -1 / 12);
    expect(round(back)).toEqual([1, 0, 0.5, 1, 0, 0, 0.4, 0.4, 0.4]);
    // Half a turn twice is a full turn; value and saturation never change.
    const rng = new Rng(5);
    const y = Float32Array.from({ length: 300 }, () => rng.next());
    const z = y.slice();
    adjustHue(z, 0.5);
    for (let i = 0; i < y.length; i += 3) {
      expect(Math.max(z[i]!, z[i + 1]!, z[i + 2]!)).toBeCloseTo(Math.max(y[i]!, y[i + 1]!, y[i + 2]!), 5);
    }
    adjustHue(z, 0.5);
    for (let i = 0; i < y.length; i++) expect(z[i]).toBeCloseTo(y[i]!, 5);
  });

  it('addGaussianNoise draws the requested spread, reproducibly', () => {
    const a = new Float32Array(20000);
    const b = new Float32Array(20000);
    addGaussianNoise(a, 0.1, new Rng(3));
    addGaussianNoise(b, 0.1, new Rng(3));
    expect(Array.from(a)).toEqual(Array.from(b));
    const sd = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    expect(sd).toBeGreaterThan(0.097);
    expect(sd).toBeLessThan(0.103);
  });

  it('fillRect, mixupBatch and cutmixBatch move the right values', () => {
    const x = Float32Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => i);
    const erased = x.slice();
    fillRect(erased, 2, { top: 1, left: 1, height: 1, width: 1 });
    expect(Array.from(erased.subarray(9, 12))).toEqual([0, 0, 0]);
    expect(Array.from(erased.subarray(0, 9))).toEqual(Array.from(x.subarray(0, 9)));
    const mixed = mixupBatch(x, 12, [1, 0], 0.25);
    expect(mixed[0]).toBeCloseTo(0.25 * 0 + 0.75 * 12, 6);
    const cut = cutmixBatch(x, 2, 2, [1, 0], { top: 0, left: 1, height: 2, width: 1 });
    // Photo 0: left column own, right column from photo 1.
    expect(Array.from(cut.subarray(0, 12))).toEqual([0, 1, 2, 15, 16, 17, 6, 7, 8, 21, 22, 23]);
  });
});
