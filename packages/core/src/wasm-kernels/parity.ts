import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../rng.ts';

/**
 * Helpers for checking a wasm kernel against the cpu backend: the same seeded inputs are built on
 * each backend, the function runs there, and only the final values come back to JS.
 */

export function seededData(size: number, seed: number, map: (v: number) => number = (v) => v): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = map(rng.normal());
  return out;
}

/** Runs `f` on the named backend (must be registered and initialised) and returns its values. */
export function valuesOn(backend: 'cpu' | 'wasm', f: () => tf.Tensor | tf.Tensor[]): Float32Array[] {
  const previous = tf.getBackend();
  switchTo(backend);
  try {
    return tf.tidy(() => {
      const out = f();
      return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
    });
  } finally {
    switchTo(previous);
  }
}

/** Switching to an initialised backend completes synchronously, before setBackend's promise. */
function switchTo(backend: string): void {
  if (!tf.findBackend(backend)) throw new Error(`backend ${backend} is not initialised`);
  void tf.setBackend(backend);
  if (tf.getBackend() !== backend) throw new Error(`could not switch to backend ${backend}`);
}

/**
 * Largest |a−b| relative to the reference's scale (max |b|, at least 1e-6): elementwise relative
 * error is meaningless for gradient entries that cancel to ~0, the scale-relative one is not.
 */
export function scaledError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (Number.isNaN(a) !== Number.isNaN(b)) return Infinity;
    diff = Math.max(diff, Math.abs(a - b));
    scale = Math.max(scale, Math.abs(b));
  }
  return diff / scale;
}
