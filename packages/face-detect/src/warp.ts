import { cropU8, resizeU8 } from '@facemask/augment/pixels';
import { pixelRect, regionAffine, type CropRegion } from './geometry.ts';
import { assertRgbImage, type RgbImage } from './image.ts';

/** A rectangle of the photo, zero-filled where it lies outside (border 'pad'). */
function cropOrPad(img: RgbImage, left: number, top: number, width: number, height: number): Uint8Array {
  if (left >= 0 && top >= 0 && left + width <= img.width && top + height <= img.height) {
    return cropU8(img.data, img.height, img.width, 3, { left, top, width, height });
  }
  const out = new Uint8Array(width * height * 3);
  const x0 = Math.max(0, left);
  const x1 = Math.min(img.width, left + width);
  for (let y = Math.max(0, top); y < Math.min(img.height, top + height); y++) {
    if (x1 <= x0) break;
    const src = (y * img.width + x0) * 3;
    out.set(img.data.subarray(src, src + (x1 - x0) * 3), ((y - top) * width + (x0 - left)) * 3);
  }
  return out;
}

/**
 * Samples a rotated region at about the photo's own resolution (bilinear, outside = 0), so the
 * resize to the output size that follows does the antialiasing.
 */
function warpRotated(img: RgbImage, r: CropRegion): { data: Uint8Array; width: number; height: number } {
  const width = Math.max(1, Math.round(r.width));
  const height = Math.max(1, Math.round(r.height));
  const m = regionAffine(r, width, height);
  const out = new Uint8Array(width * height * 3);
  const { data, width: W, height: H } = img;
  const at = (x: number, y: number, c: number) => (x < 0 || y < 0 || x >= W || y >= H ? 0 : data[(y * W + x) * 3 + c]!);
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      // Output pixel centre to source continuous coordinates, then to pixel-centre indices.
      const sx = m.a * (u + 0.5) + m.b * (v + 0.5) + m.c - 0.5;
      const sy = m.d * (u + 0.5) + m.e * (v + 0.5) + m.f - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (v * width + u) * 3;
      for (let c = 0; c < 3; c++) {
        const top = at(x0, y0, c) * (1 - fx) + at(x0 + 1, y0, c) * fx;
        const bottom = at(x0, y0 + 1, c) * (1 - fx) + at(x0 + 1, y0 + 1, c) * fx;
        out[o + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { data: out, width, height };
}

/**
 * The crop's pixels, `width` x `height` RGB (square by default). An axis-aligned region is cut at
 * whole pixels and resized with PIL's antialiased bilinear (as the image cache resizes); a rotated
 * one is sampled bilinearly at source resolution first.
 */
export function cropPixels(img: RgbImage, region: CropRegion, width: number, height: number = width): Uint8Array {
  assertRgbImage(img);
  if (region.angle === 0) {
    const r = pixelRect(region, img.width, img.height);
    return resizeU8(cropOrPad(img, r.left, r.top, r.width, r.height), r.height, r.width, 3, height, width);
  }
  const w = warpRotated(img, region);
  return resizeU8(w.data, w.height, w.width, 3, height, width);
}
