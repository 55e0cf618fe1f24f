import * as tf from '@tensorflow/tfjs-core';
import { asTensor } from './tensor-info.ts';

/**
 * tfjs-backend-wasm 4.22 ships a MaxPoolGrad (and MaxPoolWithArgmax) that route the gradient to
 * the wrong pixel whenever the input is not square or the pooling window leaves trailing rows or
 * columns (e.g. 'same' 3x3 stride 2 on an even size — ResNet's stem), so this replaces it.
 *
 * The forward MaxPool on wasm is right, so the winner of each window is found again with wasm's
 * own element-wise kernels: walk the k×k window offsets in row-major order and keep the first
 * strictly greater value (the cpu/TF tie rule), remembering its flat index in a padded frame.
 * One ScatterNd (which sums duplicates, as overlapping windows need) then places dy.
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
    // The frame every window reads from: padding the windows reach, minus rows/cols none reach.
    const frameH = (oh - 1) * sh + kh;
    const frameW = (ow - 1) * sw + kw;
    const keepH = Math.max(0, Math.min(h, frameH - top));
    const keepW = Math.max(0, Math.min(w, frameW - left));
    if (keepH === 0 || keepW === 0) return tf.zerosLike(x);
    const xKept = keepH < h || keepW < w ? tf.slice(x, [0, 0, 0, 0], [n, keepH, keepW, c]) : x;
    // -Infinity padding can never win a strict comparison against a real value.
    const frame = tf.pad(xKept, [[0, 0], [top, frameH - top - keepH], [left, frameW - left - keepW], [0, 0]], -Infinity);

    const planeStride = frameH * frameW * c;
    const int = (v: number) => tf.scalar(v, 'int32');
    const axis = (size: number, step: number, shape: number[]) => tf.reshape(tf.mul(tf.range(0, size, 1, 'int32'), int(step)), shape);
    // Flat index, in the frame, of each window's top-left element.
    const base = tf.add(
      tf.add(axis(n, planeStride, [n, 1, 1, 1]), axis(oh, sh * frameW * c, [1, oh, 1, 1])),
      tf.add(axis(ow, sw * c, [1, 1, ow, 1]), axis(c, 1, [1, 1, 1, c])),
    );
    const window = (a: number, b: number): tf.Tensor4D =>
      tf.stridedSlice(frame, [0, a, b, 0], [n, a + (oh - 1) * sh + 1, b + (ow - 1) * sw + 1, c], [1, sh, sw, 1]) as tf.Tensor4D;

    let best: tf.Tensor = window(0, 0);
    let index: tf.Tensor = base;
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        if (a === 0 && b === 0) continue;
        const candidate = window(a, b);
        const better = tf.greater(candidate, best);
        const nextBest = tf.maximum(candidate, best);
        const shifted = tf.add(base, int((a * frameW + b) * c));
        const nextIndex = tf.where(better, shifted, index);
        // Free each step's intermediates now: a 7x7 window would otherwise hold 49 copies.
        tf.dispose([candidate, better, shifted, best]);
        if (index !== base) index.dispose();
        best = nextBest;
        index = nextIndex;
      }
    }
    const scattered = tf.scatterND(tf.reshape(index, [-1, 1]), tf.reshape(dy, [-1]), [n * planeStride]);
    const dFrame = tf.reshape(scattered, [n, frameH, frameW, c]);
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
