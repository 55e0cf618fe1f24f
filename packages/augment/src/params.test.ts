import { describe, expect, it } from 'vitest';
import { Rng } from '@facemask/contracts';
import { sampleBeta, sampleGamma } from './beta.ts';
import { sampleCutmixBox, sampleErasing, sampleJitterFactor, sampleResizedCrop } from './params.ts';

describe('sampleResizedCrop', () => {
  it('draws crops inside the image with area and aspect in range', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 500; i++) {
      const r = sampleResizedCrop(rng, 224, 160, [0.2, 0.9], [3 / 4, 4 / 3]);
      expect(r.top).toBeGreaterThanOrEqual(0);
      expect(r.left).toBeGreaterThanOrEqual(0);
      expect(r.top + r.height).toBeLessThanOrEqual(224);
      expect(r.left + r.width).toBeLessThanOrEqual(160);
      const area = (r.width * r.height) / (224 * 160);
      // Rounding width and height to integers moves the area a little.
      expect(area).toBeGreaterThan(0.18);
      expect(area).toBeLessThan(0.93);
      expect(r.width / r.height).toBeGreaterThan(0.7);
      expect(r.width / r.height).toBeLessThan(1.4);
    }
  });

  it('falls back to the centred crop of the clamped aspect when no try fits', () => {
    // A scale above 1 never fits, so torchvision's fallback decides.
    expect(sampleResizedCrop(new Rng(2), 100, 300, [2, 3], [3 / 4, 4 / 3])).toEqual({ top: 0, left: 83, height: 100, width: 133 });
    expect(sampleResizedCrop(new Rng(2), 100, 80, [2, 3], [3 / 4, 4 / 3])).toEqual({ top: 0, left: 0, height: 100, width: 80 });
  });
});

describe('sampleErasing', () => {
  it('draws rectangles strictly smaller than the image, or null when none fits', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 300; i++) {
      const r = sampleErasing(rng, 32, 32, [0.02, 0.33], [0.3, 3.3])!;
      expect(r.height).toBeLessThan(32);
      expect(r.width).toBeLessThan(32);
      expect(r.top + r.height).toBeLessThanOrEqual(32);
      expect(r.left + r.width).toBeLessThanOrEqual(32);
    }
    expect(sampleErasing(rng, 4, 4, [1, 1], [1, 1])).toBeNull();
  });
});

describe('sampleCutmixBox', () => {
  it('has area 1 - lam before clipping and stays inside the image', () => {
    const rng = new Rng(4);
    for (let i = 0; i < 200; i++) {
      const lam = rng.next();
      const r = sampleCutmixBox(rng, 100, 100, lam);
      expect(r.top + r.height).toBeLessThanOrEqual(100);
      expect(r.left + r.width).toBeLessThanOrEqual(100);
      expect(r.width * r.height).toBeLessThanOrEqual((1 - lam) * 10000 + 1e-9);
    }
    expect(sampleCutmixBox(rng, 50, 50, 1)).toMatchObject({ height: 0, width: 0 });
  });
});

describe('sampleJitterFactor', () => {
  it('is uniform on [max(0, 1 - s), 1 + s] and 1 for strength 0', () => {
    const rng = new Rng(5);
    expect(sampleJitterFactor(rng, 0)).toBe(1);
    const xs = Array.from({ length: 2000 }, () => sampleJitterFactor(rng, 1.5));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(2.5);
    expect(xs.reduce((a, b) => a + b) / xs.length).toBeCloseTo(1.25, 1);
  });
});

describe('sampleGamma / sampleBeta', () => {
  const moments = (xs: number[]) => {
    const m = xs.reduce((a, b) => a + b) / xs.length;
    return [m, xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length] as const;
  };
  it('match the Gamma and Beta means and variances', () => {
    const rng = new Rng(6);
    for (const k of [0.3, 1, 4]) {
      const [m, v] = moments(Array.from({ length: 20000 }, () => sampleGamma(rng, k)));
      expect(m).toBeCloseTo(k, 1);
      expect(Math.abs(v - k) / k).toBeLessThan(0.1);
    }
    for (const a of [0.2, 1]) {
      const [m, v] = moments(Array.from({ length: 20000 }, () => sampleBeta(rng, a, a)));
      expect(m).toBeCloseTo(0.5, 1);
      // Var Beta(a, a) = 1 / (4 (2a + 1)).
      expect(Math.abs(v - 1 / (4 * (2 * a + 1)))).toBeLessThan(0.01);
    }
  });
  it('rejects bad shapes', () => {
    expect(() => sampleGamma(new Rng(1), 0)).toThrow(/positive/);
  });
});
