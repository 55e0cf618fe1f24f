import * as tf from '@tensorflow/tfjs-core';
import { asTensor } from './tensor-info.ts';

/**
 * MaxPoolGrad for wasm, built from wasm's own kernels.
 *
 * tfjs-backend-wasm 4.22 does register a MaxPoolGrad, but its C++ seeds each window's running max
 * with FLT_MIN (the smallest *positive* float) instead of -inf, and uses `>=`. So any window whose
 * values are all <= 0 sends its gradient to the wrong element, and ties go to the last element
 * instead of the first (TF / cpu rule). Measured: 43 of 96 small pooling configs disagreed with
 * cpu. Its MaxPoolWithArgmax shares the bug, so it cannot be used either.
 *
 * The forward MaxPool on wasm is exact, so each window's max y is recomputed and its winner is
 * found by equality: visit the k×k offsets from last to first and keep overwriting the winner where
 * the element equals y — the first (row-major) maximum wins, as on cpu. Windows are read from
 * stride "phases" of the padded input via contiguous slices (wasm's StridedSlice is ~50× slower
 * than Slice). One ScatterNd (which sums duplicates, as overlapping windows need) places dy.
 */
export function maxPoolGradByArgmax(dy: tf.Tensor4D, x: tf.Tensor4D, attrs: tf.MaxPoolGradAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computePool2DInfo(x.shape, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const { top, left } = info.padInfo;
    const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    const kh = info.effectiveFilterHeight;
    const kw = info.effectiveFilterWidth;
    const [n, h, w, c] = x.shape;
    if (dy.shape[1] !== oh || dy.shape[2] !== ow) {
      throw new Error(`MaxPoolGrad (wasm): dy is ${dy.shape[1]}x${dy.shape[2]} but the pooling yields ${oh}x${ow}`);
    }
    // Rows/cols of the padded input that some window reads; R×sh rows so every phase has R rows.
    const rows = oh + Math.floor((kh - 1) / sh);
    const cols = ow + Math.floor((kw - 1) / sw);
    const frameH = rows * sh;
    const frameW = cols * sw;
    const keepH = Math.max(0, Math.min(h, (oh - 1) * sh + kh - top));
    const keepW = Math.max(0, Math.min(w, (ow - 1) * sw + kw - left));
    if (keepH === 0 || keepW === 0) return tf.zerosLike(x);

    const y = tf.maxPool(x, [info.filterHeight, info.filterWidth], [sh, sw], attrs.pad, attrs.dimRoundingMode);
    const xKept = keepH < h || keepW < w ? tf.slice(x, [0, 0, 0, 0], [n, keepH, keepW, c]) : x;
    // -inf padding never equals a window's max, so padding never wins (as on cpu, which skips it).
    const frame = tf.pad(xKept, [[0, 0], [top, frameH - top - keepH], [left, frameW - left - keepW], [0, 0]], -Infinity);

    // phase(t, pa, pb)[n, r, q, c] = t[n, r·sh + pa, q·sw + pb, c], for t shaped like the frame.
    const phase = (t: tf.Tensor, pa: number, pb: number): tf.Tensor4D => {
      const byRow = tf.reshape(t, [n, rows, sh, frameW * c]) as tf.Tensor4D;
      const rowPhase = sh === 1 ? byRow : tf.slice(byRow, [0, 0, pa, 0], [n, rows, 1, frameW * c]);
      const byCol = tf.reshape(rowPhase, [n * rows, cols, sw, c]) as tf.Tensor4D;
      const colPhase = sw === 1 ? byCol : tf.slice(byCol, [0, 0, pb, 0], [n * rows, cols, 1, c]);
      return tf.reshape(colPhase, [n, rows, cols, c]) as tf.Tensor4D;
    };
    const phases = new Map<number, tf.Tensor4D>();
    const window = (a: number, b: number): tf.Tensor4D => {
      const key = (a % sh) * sw + (b % sw);
      let p = phases.get(key);
      if (!p) phases.set(key, (p = phase(frame, a % sh, b % sw)));
      return tf.slice(p, [0, Math.floor(a / sh), Math.floor(b / sw), 0], [n, oh, ow, c]);
    };

    // Where, relative to its window's top-left corner in the frame, each window's maximum sits.
    const offsetOf = (t: number) => (Math.floor(t / kw) * frameW + (t % kw)) * c;
    const last = kh * kw - 1;
    let winner: tf.Tensor = tf.fill(y.shape, offsetOf(last), 'int32');
    for (let t = last - 1; t >= 0; t--) {
      const candidate = window(Math.floor(t / kw), t % kw);
      const isMax = tf.equal(candidate, y);
      const offset = tf.fill(y.shape, offsetOf(t), 'int32');
      const next = tf.where(isMax, offset, winner);
      // Free as we go: a 7x7 window would otherwise hold 49 sets of these until the tidy ends.
      tf.dispose([candidate, isMax, offset, winner]);
      winner = next;
    }
    // Flat frame index of every window's top-left corner: window (0,0) of an index-valued frame.
    // (A broadcast int32 add would do the same but wasm runs broadcasts element by element.)
    const frameIndex = tf.range(0, n * frameH * frameW * c, 1, 'int32');
    const corner = tf.slice(phase(frameIndex, 0, 0), [0, 0, 0, 0], [n, oh, ow, c]);
    const index = tf.add(corner, winner);
    const scattered = tf.scatterND(tf.reshape(index, [-1, 1]), tf.reshape(dy, [-1]), [n * frameH * frameW * c]);
    const dFrame = tf.reshape(scattered, [n, frameH, frameW, c]) as tf.Tensor4D;
    const dKept = tf.slice(dFrame, [0, top, left, 0], [n, keepH, keepW, c]);
    return keepH < h || keepW < w ? tf.pad(dKept, [[0, 0], [0, h - keepH], [0, w - keepW], [0, 0]]) : dKept;
  });
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { dy, input } = inputs as unknown as tf.MaxPoolGradInputs;
    return tf.tidy(() =>
      maxPoolGradByArgmax(asTensor(dy!) as tf.Tensor4D, asTensor(input!) as tf.Tensor4D, attrs as unknown as tf.MaxPoolGradAttrs),
    );
  },
};
