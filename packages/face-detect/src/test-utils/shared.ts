import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { Rng } from '@facemask/contracts';
import type { RgbImage } from '../image.ts';
import type { Box } from '../record.ts';

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The shared data folder (../shared beside the repository; SHARED_DIR overrides). */
export function sharedDir(): string {
  return resolve(workspaceRoot, process.env.SHARED_DIR ?? '../shared');
}

export const realfacesDev = () => join(sharedDir(), 'realfaces-dev');
export const realfacesDevWide = () => join(sharedDir(), 'realfaces-dev-wide');

/** A plain wall: one colour with seeded noise of +-6 levels, as an entrance camera sees it. */
export function wall(width: number, height: number, rgb: [number, number, number], seed: number): RgbImage {
  const rng = Rng.derive(seed, 'wall');
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.max(0, Math.min(255, rgb[c]! + rng.int(-6, 7)));
  }
  return { data, width, height };
}

/**
 * A photo made in memory: the face square of a realfaces-dev-wide photo (`from`, its
 * face_boxes.csv row) cut out, resized to `to` and pasted on a wall, so the face's place is known.
 */
export async function pasteFace(file: string, from: Box, onto: RgbImage, to: Box): Promise<RgbImage> {
  const face = await sharp(file)
    .removeAlpha()
    .extract({ left: from.x, top: from.y, width: from.width, height: from.height })
    .resize(to.width, to.height, { fit: 'fill' })
    .raw()
    .toBuffer();
  const out = new Uint8Array(onto.data);
  for (let y = 0; y < to.height; y++) out.set(face.subarray(y * to.width * 3, (y + 1) * to.width * 3), ((to.y + y) * onto.width + to.x) * 3);
  return { data: out, width: onto.width, height: onto.height };
}
