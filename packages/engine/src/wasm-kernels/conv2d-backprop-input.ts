import * as tf from '@tensorflow/tfjs-core';
import { asTensor, nhwcPad } from './tensor-info.ts';

/**
 * dx of a conv2d as a stride-1 conv2d that wasm runs on XNNPACK: dy dilated by the stride
 * (zeros between its rows and columns), padded by kernel-1-pad, correlated with the filter
 * rotated by 180° and with its in/out channels swapped:
 *
 *   dxPadded[n, p, q, c] = Σ_{a,b,o} dyDilated[n, p - a, q - b, o] · W[a, b, c, o]
 *
 * wasm 4.22's own Conv2DBackpropInput is a plain loop and takes most of a ResNet training step
 * (about 3 s of 5 s for ResNet-18 at 112 px, batch 8); this one runs at conv2d speed.
 */
export function conv2dBackpropInputByConv(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: tf.Conv2DBackpropInputAttrs,
): tf.Tensor4D {
  return tf.tidy(() => {
    const nchw = attrs.dataFormat === 'NCHW';
    const inShape = attrs.inputShape as [number, number, number, number];
    const xShape: [number, number, number, number] = nchw ? [inShape[0], inShape[2], inShape[3], inShape[1]] : inShape;
    const dys: tf.Tensor4D = nchw ? tf.transpose(dy, [0, 2, 3, 1]) : dy;
    const pad = nhwcPad(attrs.pad, attrs.dataFormat);
    const [kh, kw] = filter.shape;
    const info = tf.backend_util.computeConv2DInfo(xShape, filter.shape, attrs.strides, 1, pad, attrs.dimRoundingMode);
    const [n, oh, ow, co] = dys.shape;
    const [, h, w] = xShape;
    if (oh !== info.outHeight || ow !== info.outWidth) {
      throw new Error(`Conv2DBackpropInput (wasm): dy is ${oh}x${ow} but the forward conv yields ${info.outHeight}x${info.outWidth}`);
    }
    const sh = info.strideHeight;
    const sw = info.strideWidth;
    let d: tf.Tensor4D = dys;
    if (sh > 1 || sw > 1) {
      // Interleave zeros: [n, oh, 1, ow, 1, co] padded to [n, oh, sh, ow, sw, co], then trimmed.
      const six = tf.pad(tf.reshape(dys, [n, oh, 1, ow, 1, co]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
      d = tf.slice(tf.reshape(six, [n, oh * sh, ow * sw, co]), [0, 0, 0, 0], [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, co]) as tf.Tensor4D;
    }
    // Rows of the padded input are p = i*s + a; we want p in [top, top + h).
    const spanH = (oh - 1) * sh + 1;
    const spanW = (ow - 1) * sw + 1;
    const before = [kh - 1 - info.padInfo.top, kw - 1 - info.padInfo.left];
    const after = [h + kh - 1 - before[0]! - spanH, w + kw - 1 - before[1]! - spanW];
    d = padOrCrop(d, before as [number, number], after as [number, number]);
    const rotated = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    const dx = tf.conv2d(d, rotated, 1, 'valid');
    return nchw ? (tf.transpose(dx, [0, 3, 1, 2]) as tf.Tensor4D) : dx;
  });
}

/** Pads (positive) or crops (negative) rows and columns at each side. */
function padOrCrop(x: tf.Tensor4D, before: [number, number], after: [number, number]): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const cropTop = Math.max(0, -before[0]);
  const cropLeft = Math.max(0, -before[1]);
  const cropBottom = Math.max(0, -after[0]);
  const cropRight = Math.max(0, -after[1]);
  let y = x;
  if (cropTop || cropLeft || cropBottom || cropRight) {
    y = tf.slice(y, [0, cropTop, cropLeft, 0], [n, h - cropTop - cropBottom, w - cropLeft - cropRight, c]);
  }
  const p = [Math.max(0, before[0]), Math.max(0, after[0]), Math.max(0, before[1]), Math.max(0, after[1])];
  if (p.some((v) => v > 0)) y = tf.pad(y, [[0, 0], [p[0]!, p[1]!], [p[2]!, p[3]!], [0, 0]]);
  return y;
}

export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { dy, filter } = inputs as unknown as tf.Conv2DBackpropInputInputs;
    return tf.tidy(() =>
      conv2dBackpropInputByConv(asTensor(dy!) as tf.Tensor4D, asTensor(filter!) as tf.Tensor4D, attrs as unknown as tf.Conv2DBackpropInputAttrs),
    );
  },
};
