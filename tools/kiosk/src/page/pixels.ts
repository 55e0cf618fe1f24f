import type { DecodedPhoto } from '@facemask/image-cache/browser';
import { withStoredOrientation } from './exif.ts';

/**
 * Photos as uint8 RGB, the way preprocess decodes files: no EXIF rotation (exif.ts), no colour management,
 * alpha dropped (the browser's JPEG and PNG decoders stand in for sharp's).
 */
export async function decodeFile(file: Blob): Promise<DecodedPhoto> {
  const bytes = withStoredOrientation(new Uint8Array(await file.arrayBuffer()));
  const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    return fromDrawable(bitmap, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

/** The current frame of a playing video. */
export function grabFrame(video: HTMLVideoElement): DecodedPhoto {
  return fromDrawable(video, video.videoWidth, video.videoHeight);
}

function fromDrawable(source: CanvasImageSource, width: number, height: number): DecodedPhoto {
  if (!width || !height) throw new Error('the photo has no pixels');
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('this browser cannot read pixels from a canvas');
  ctx.drawImage(source, 0, 0);
  const rgba = ctx.getImageData(0, 0, width, height, { colorSpace: 'srgb' }).data;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    data[j] = rgba[i]!;
    data[j + 1] = rgba[i + 1]!;
    data[j + 2] = rgba[i + 2]!;
  }
  return { data, width, height };
}

/** Draws uint8 RGB pixels on a canvas (the photo, or the crop the model sees). */
export function drawRgb(canvas: HTMLCanvasElement, photo: DecodedPhoto): void {
  canvas.width = photo.width;
  canvas.height = photo.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(photo.width, photo.height);
  for (let i = 0, j = 0; j < photo.data.length; i += 4, j += 3) {
    img.data[i] = photo.data[j]!;
    img.data[i + 1] = photo.data[j + 1]!;
    img.data[i + 2] = photo.data[j + 2]!;
    img.data[i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
