import * as tf from '@tensorflow/tfjs-core';
import { asTensor, nhwcPad } from './tensor-info.ts';

/**
 * dW[a,b,ci,co] = Σ_{n,i,j} xPadded[n, i·s + a, j·s + b, ci] · dy[n,i,j,co]
 *
 * That sum is itself a stride-1 'valid' convolution once the roles are swapped: take the padded
 * input as a batch of `ci` images with `n` channels, use dy (as [ho, wo, n, co]) as the filter
 * dilated by the forward stride, and the result is [ci, kh, kw, co]. So the whole gradient runs
 * on wasm's own Conv2D (XNNPACK) plus a few transposes — no data goes back to JS.
 *
 * Rows/columns the forward pass never reached (a 'valid' conv with stride 2 on an even input, or
 * generous explicit padding) are sliced away first so the swapped conv yields exactly kh×kw.
 */
export function conv2dBackpropFilterByConv(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  attrs: tf.Conv2DBackpropFilterAttrs,
): tf.Tensor4D {
  return tf.tidy(() => {
    const nchw = attrs.dataFormat === 'NCHW';
    const xs: tf.Tensor4D = nchw ? tf.transpose(x, [0, 2, 3, 1]) : x;
    const dys: tf.Tensor4D = nchw ? tf.transpose(dy, [0, 2, 3, 1]) : dy;
    const pad = nhwcPad(attrs.pad, attrs.dataFormat);
    const info = tf.backend_util.computeConv2DInfo(
      xs.shape,
      attrs.filterShape,
      attrs.strides,
      1,
      pad,
      attrs.dimRoundingMode,
    );
    const { top, left } = info.padInfo;
    const [, outH, outW] = dys.shape;
    if (outH !== info.outHeight || outW !== info.outWidth) {
      throw new Error(
        `Conv2DBackpropFilter (wasm): dy is ${outH}x${outW} but the forward conv yields ${info.outHeight}x${info.outWidth}`,
      );
    }
    const needH = (info.filterHeight - 1) + (outH - 1) * info.strideHeight + 1;
    const needW = (info.filterWidth - 1) + (outW - 1) * info.strideWidth + 1;
    const [n, h, w, c] = xs.shape;
    // Padding beyond the reach of the last output window contributes nothing: trim it or the rows it covers.
    const keepH = Math.max(0, Math.min(h, needH - top));
    const keepW = Math.max(0, Math.min(w, needW - left));
    if (keepH === 0 || keepW === 0) return tf.zeros(attrs.filterShape) as tf.Tensor4D;
    let xp: tf.Tensor4D = keepH < h || keepW < w ? tf.slice(xs, [0, 0, 0, 0], [n, keepH, keepW, c]) : xs;
    const padBottom = needH - top - keepH;
    const padRight = needW - left - keepW;
    if (top > 0 || padBottom > 0 || left > 0 || padRight > 0) {
      xp = tf.pad(xp, [[0, 0], [top, padBottom], [left, padRight], [0, 0]]);
    }
    const xT = tf.transpose(xp, [3, 1, 2, 0]); // [c, needH, needW, n]
    const dyT = tf.transpose(dys, [1, 2, 0, 3]); // [outH, outW, n, co]
    const g = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', [info.strideHeight, info.strideWidth]); // [c, kh, kw, co]
    return tf.transpose(g, [1, 2, 0, 3]);
  });
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { x, dy } = inputs as unknown as tf.Conv2DBackpropFilterInputs;
    return tf.tidy(() =>
      conv2dBackpropFilterByConv(
        asTensor(x!) as tf.Tensor4D,
        asTensor(dy!) as tf.Tensor4D,
        attrs as unknown as tf.Conv2DBackpropFilterAttrs,
      ),
    );
  },
};
