import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { FACE_API_INPUT_SIZE, IMAGENET_MEAN, IMAGENET_STD } from '../faceapi.ts';

/**
 * Real faces for the pretrained backbones' parity tests: the dev set's photos (research licence)
 * are read in place, never copied.
 */

export const FACES_DIR = process.env.REALFACES_DIR ?? '/work/shared/realfaces-dev/train/images';
const S = FACE_API_INPUT_SIZE;

/** Centre square of the upper photo (where the face is), resized to 150x150 RGB uint8. */
async function faceCrop(path: string): Promise<Uint8Array> {
  const img = sharp(path);
  const { width = 0, height = 0 } = await img.metadata();
  const side = Math.min(width, Math.round(height * 0.6));
  const left = Math.round((width - side) / 2);
  const top = Math.round((height - side) * 0.4);
  const buf = await img.extract({ left, top, width: side, height: side }).resize(S, S).removeAlpha().raw().toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** The unmasked photo of the first `n` people (sorted), face-cropped to 150x150. */
export async function realFaces(n: number): Promise<Uint8Array[]> {
  const people = readdirSync(FACES_DIR).sort().slice(0, n);
  return Promise.all(people.map((p) => faceCrop(join(FACES_DIR, p, 'normal.jpg'))));
}

/** 150x150 uint8 photos as float pixels 0..255, NHWC. */
export function facePixels(images: Uint8Array[]): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(images.flatMap((i) => Array.from(i))), [images.length, S, S, 3]);
}

/** The toolkit's input: (p/255 - mean) / std, NHWC. */
export function normalised(images: Uint8Array[]): tf.Tensor4D {
  return tf.tidy(() => tf.div(tf.sub(tf.div(facePixels(images), 255), tf.tensor1d([...IMAGENET_MEAN])), tf.tensor1d([...IMAGENET_STD])) as tf.Tensor4D);
}
