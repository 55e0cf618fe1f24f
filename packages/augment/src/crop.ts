/**
 * torchvision's CenterCrop on uint8 HWC buffers, offsets and zero padding included, so a cached
 * crop is the one PyTorch would have fed the network.
 */

/** Python's round(): ties go to the even neighbour (round(0.5) = 0, round(1.5) = 2). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round sends every .5 up; Python sends it to the even integer.
  if (Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

export interface CropOffsets {
  /** Source row of the crop's first row; negative when the crop is taller than the image (zero rows on top). */
  top: number;
  /** Source column of the crop's first column; negative when the crop is wider than the image. */
  left: number;
}

function checkDims(name: string, values: Record<string, number>): void {
  for (const [k, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${name}: ${k} must be a positive integer, got ${v}`);
  }
}

/**
 * Offsets as torchvision 0.14 F.center_crop computes them: int(round((size - crop) / 2)), Python
 * rounding. A crop larger than the image is first padded with (crop - size) // 2 zeros before
 * (and the rest after), after which that axis' offset is 0: here that is -(crop - size) // 2.
 */
export function centerCropOffsets(h: number, w: number, cropH: number, cropW: number): CropOffsets {
  checkDims('centerCropOffsets', { h, w, cropH, cropW });
  const axis = (size: number, crop: number) =>
    crop > size ? -Math.floor((crop - size) / 2) : roundHalfEven((size - crop) / 2);
  return { top: axis(h, cropH), left: axis(w, cropW) };
}

/** CenterCrop of an HWC uint8 image; pixels outside the source are 0 (torchvision pads with fill=0). */
export function centerCropU8(
  src: Uint8Array,
  h: number,
  w: number,
  channels: number,
  cropH: number,
  cropW: number,
): Uint8Array {
  checkDims('centerCropU8', { h, w, channels, cropH, cropW });
  if (src.length !== h * w * channels) {
    throw new RangeError(`centerCropU8: buffer has ${src.length} bytes, expected h*w*channels = ${h}*${w}*${channels}`);
  }
  const { top, left } = centerCropOffsets(h, w, cropH, cropW);
  const out = new Uint8Array(cropH * cropW * channels);
  // Only the part of the crop window that lies inside the source gets copied; the rest stays 0.
  const x0 = Math.max(0, -left);
  const x1 = Math.min(cropW, w - left);
  const y0 = Math.max(0, -top);
  const y1 = Math.min(cropH, h - top);
  if (x1 <= x0) return out;
  const rowBytes = (x1 - x0) * channels;
  for (let y = y0; y < y1; y++) {
    const s = ((y + top) * w + (x0 + left)) * channels;
    out.set(src.subarray(s, s + rowBytes), (y * cropW + x0) * channels);
  }
  return out;
}
