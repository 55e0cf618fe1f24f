import { Rng, type PhotoKind } from '@facemask/contracts';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { drawPerson } from './person.ts';
import { drawPhotoParams, type PhotoParams } from './photo-params.ts';
import { applyCamera, probit, renderPhoto } from './raster.ts';
import { HEAD_SCALE, HEAD_X, HEAD_Y, sceneSvg } from './scene-svg.ts';

describe('probit', () => {
  it('inverts the normal CDF', () => {
    expect(probit(0.5)).toBeCloseTo(0, 9);
    expect(probit(0.975)).toBeCloseTo(1.959964, 5);
    expect(probit(0.001)).toBeCloseTo(-3.090232, 5);
    expect(probit(0.2)).toBeCloseTo(-probit(0.8), 9);
  });
});

describe('applyCamera', () => {
  it('applies light and seeded noise of the requested strength', () => {
    const grey = () => new Uint8Array(3 * 200 * 200).fill(100);
    const p = { brightness: 1.1, contrast: 0.9, warmth: 0, noise: 6 };
    const a = grey();
    applyCamera(a, p, new Rng(1));
    const b = grey();
    applyCamera(b, p, new Rng(1));
    expect(Buffer.compare(a, b)).toBe(0);
    const c = grey();
    applyCamera(c, p, new Rng(2));
    expect(Buffer.compare(a, c)).not.toBe(0);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const std = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
    expect(mean).toBeCloseTo((100 * 1.1 - 128) * 0.9 + 128, 0);
    expect(std).toBeGreaterThan(5.5);
    expect(std).toBeLessThan(6.5);
  });
});

/** Rows (canvas pixels, head upright and centred) where the mask changes the middle of the face. */
async function maskRows(kind: PhotoKind, seed: number, id: number): Promise<{ first: number; last: number; person: ReturnType<typeof drawPerson> }> {
  const person = drawPerson(seed, id);
  const still: Partial<PhotoParams> = { rotation: 0, dx: 0, dy: 0, scale: 1, yaw: 0 };
  const p = { ...drawPhotoParams(seed, person, kind), ...still };
  const raster = async (params: PhotoParams) => sharp(Buffer.from(sceneSvg(seed, person, params, 384, 512))).removeAlpha().raw().toBuffer();
  const [withMask, without] = await Promise.all([raster(p), raster({ ...p, mask: null })]);
  let first = -1;
  let last = -1;
  for (let y = 0; y < 512; y++) {
    for (let x = HEAD_X - 8; x <= HEAD_X + 8; x++) {
      const i = 3 * (y * 384 + x);
      if (Math.abs(withMask[i]! - without[i]!) + Math.abs(withMask[i + 1]! - without[i + 1]!) + Math.abs(withMask[i + 2]! - without[i + 2]!) > 30) {
        if (first < 0) first = y;
        last = y;
      }
    }
  }
  return { first, last, person };
}

const canvasY = (local: number): number => HEAD_Y + local * HEAD_SCALE;

describe('rendered masks', () => {
  it('cover nose and mouth when worn, and leave them out when worn incorrectly', async () => {
    for (const id of [1, 2, 3, 4, 5, 6]) {
      const worn = await maskRows('mask2', 5, id);
      const look = worn.person.look;
      expect(worn.first).toBeGreaterThan(canvasY(look.eyes.y));
      expect(worn.first).toBeLessThan(canvasY(look.nose.tipY - 8));
      expect(worn.last).toBeGreaterThan(canvasY(look.lips.y + look.lips.height));
      const wrong = await maskRows('incorrect_mask', 5, id);
      expect(wrong.first).toBeGreaterThan(canvasY(look.nose.tipY));
    }
  });
});

describe('renderPhoto', () => {
  it('gives the same JPEG bytes for the same seed and the requested size', async () => {
    const person = drawPerson(1, 3);
    const a = await renderPhoto(1, person, 'normal', { width: 80, height: 100, quality: 80 });
    const b = await renderPhoto(1, person, 'normal', { width: 80, height: 100, quality: 80 });
    expect(Buffer.compare(a, b)).toBe(0);
    expect(await sharp(a).metadata()).toMatchObject({ format: 'jpeg', width: 80, height: 100 });
    const other = await renderPhoto(1, person, 'mask1', { width: 80, height: 100, quality: 80 });
    expect(Buffer.compare(a, other)).not.toBe(0);
  });
});
