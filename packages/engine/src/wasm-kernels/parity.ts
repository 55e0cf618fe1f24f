import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend.ts';
import { Rng } from '@facemask/contracts';

/**
 * Helpers for checking a wasm or webgpu kernel against the cpu backend: the same seeded inputs are built on
 * each backend, the function runs there, and only the final values come back to JS.
 */

export function seededData(size: number, seed: number, map: (v: number) => number = (v) => v): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = map(rng.normal());
  return out;
}

/** Makes wasm the active backend with cpu registered beside it, so valuesOn can compare the two. */
export async function useWasmBesideCpu(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  await selectBackend({ prefer: 'wasm', log: () => {} });
  await tf.ready();
}

/** Runs `f` on the named backend (must be registered and initialised) and returns its values. */
export function valuesOn(backend: 'cpu' | 'wasm' | 'webgpu', f: () => tf.Tensor | tf.Tensor[]): Float32Array[] {
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

/** A conv2d configuration whose gradient kernels are compared between backends. */
export interface ConvCase {
  /** NHWC input shape. */
  x: [number, number, number, number];
  k: number;
  out: number;
  stride: number;
  pad: 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
}

/** tf's Conv2DBackpropFilter kernel itself on the active backend: dW for x, dy and the case's convolution. */
export function runConv2dBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, c: ConvCase, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): tf.Tensor {
  const inC = dataFormat === 'NHWC' ? x.shape[3] : x.shape[1];
  return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
    strides: c.stride,
    pad: c.pad,
    dataFormat,
    filterShape: [c.k, c.k, inC, c.out],
  } as unknown as tf.NamedAttrMap);
}

/**
 * The grid both conv gradient kernels are checked on: 1x1, 3x3 and 7x7 kernels; stride 1 and 2;
 * 'same', 'valid' and asymmetric explicit padding; odd and even, non-square sizes; batch 1 to 3.
 */
export function convCaseGrid(): { name: string; c: ConvCase; seed: number }[] {
  const sizes: Array<[number, number]> = [
    [9, 11], // odd, non-square
    [10, 8], // even, non-square
  ];
  const pads = (k: number): Array<[string, ConvCase['pad']]> => [
    ['same', 'same'],
    ['valid', 'valid'],
    ['explicit', [[0, 0], [Math.floor(k / 2), k - 1 - Math.floor(k / 2) + 1], [k - 1, 0], [0, 0]]],
  ];
  const out: { name: string; c: ConvCase; seed: number }[] = [];
  let seed = 1;
  for (const k of [1, 3, 7]) {
    for (const stride of [1, 2]) {
      for (const [h, w] of sizes) {
        for (const [padName, pad] of pads(k)) {
          const batch = 1 + (seed % 3);
          out.push({ name: `${k}x${k} stride ${stride} ${padName} on ${h}x${w}, batch ${batch}`, c: { x: [batch, h, w, 3], k, out: 5, stride, pad }, seed: 10 * seed++ });
        }
      }
    }
  }
  return out;
}
