/** Decoded pixels: RGB, uint8, rows top to bottom, `height * width * 3` bytes. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Throws if `img` is not a well-formed RGB image (a caller passing RGBA or a wrong size). */
export function assertRgbImage(img: RgbImage, what = 'image'): void {
  const { data, width, height } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`${what}: size ${width}x${height} is not a positive integer size`);
  }
  if (data.length !== width * height * 3) {
    throw new Error(`${what}: ${data.length} bytes for ${width}x${height}, expected ${width * height * 3} (RGB, 3 bytes a pixel)`);
  }
}
