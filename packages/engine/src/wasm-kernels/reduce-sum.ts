// Imported first so the stock kernels this falls back on are registered when this module runs.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Sum and Mean for wasm that accumulate float32 input in float64, as the cpu backend does.
 *
 * tfjs-backend-wasm 4.22 adds float32 values one after another into a float32 accumulator, so a
 * reduction over many elements loses digits. Training hits this hard: BatchNorm's gradients are
 * sums over N·H·W of terms that largely cancel. On the fixture ResNet-18 step (batch 4, 64 px) the
 * stock kernels put BatchNorm gradients off by up to 2.3% of their largest entry and conv1's
 * weight gradient by 0.9%, against the fixture's 2e-3; a float32 running sum's error grows with
 * the number of terms, so larger batches and images fare worse.
 *
 * Float32 input is read straight from the wasm heap and summed in float64 in the order the cpu
 * backend uses, so Sum matches cpu bit for bit. Mean divides the float64 sum once. Other dtypes go
 * to the stock kernel unchanged. Reductions over a contiguous block of axes (leading, trailing or
 * in between: BatchNorm's [0,1,2], pooling's [1,2], a row's last axis) need no transpose; other
 * axis sets are transposed first with wasm's own Transpose, as the stock kernels do.
 */

interface WasmBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
  disposeData(dataId: tf.DataId): boolean;
}

type Mode = 'sum' | 'mean';

function reduceFloat32(mode: Mode, x: tf.TensorInfo, axis: number | number[], keepDims: boolean, backend: WasmBackend): tf.TensorInfo {
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  let input = x;
  let transposed: tf.TensorInfo | null = null;
  let first = axes[0] ?? 0;
  const contiguous = axes.every((a, i) => a === first + i);
  if (!contiguous) {
    const perm = tf.backend_util.getAxesPermutation(axes, rank) as number[];
    const transpose = tf.getKernel(tf.Transpose, 'wasm');
    if (!transpose) throw new Error('wasm Sum/Mean: the wasm backend has no Transpose kernel');
    transposed = transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
    input = transposed;
    first = rank - axes.length;
  }
  // input viewed as [outer, reduced, inner], reducing the middle.
  const shape = input.shape;
  const outer = shape.slice(0, first).reduce((a, b) => a * b, 1);
  const reduced = shape.slice(first, first + axes.length).reduce((a, b) => a * b, 1);
  const inner = shape.slice(first + axes.length).reduce((a, b) => a * b, 1);
  const outShape = tf.backend_util.computeOutAndReduceShapes(x.shape, axes)[0];

  const out = backend.makeOutput(outShape, 'float32');
  // Views after the allocation: makeOutput may grow the wasm memory and detach older views.
  const src = backend.typedArrayFromHeap(input) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  // An empty reduction gives 0 for both, as on cpu (the stock wasm kernels leave it uninitialised).
  const scale = mode === 'mean' && reduced > 0 ? reduced : 1;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      let s = 0;
      const base = o * reduced;
      for (let r = 0; r < reduced; r++) s += src[base + r]!;
      dst[o] = s / scale;
    }
  } else {
    const acc = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      acc.fill(0);
      for (let r = 0; r < reduced; r++) {
        const base = (o * reduced + r) * inner;
        for (let i = 0; i < inner; i++) acc[i]! += src[base + i]!;
      }
      const at = o * inner;
      for (let i = 0; i < inner; i++) dst[at + i] = acc[i]! / scale;
    }
  }
  if (transposed) backend.disposeData(transposed.dataId);
  if (keepDims) out.shape = tf.backend_util.expandShapeToKeepDim(outShape, axes);
  return out;
}

function reduceConfig(kernelName: typeof tf.Sum | typeof tf.Mean, mode: Mode): tf.KernelConfig {
  // The stock kernel (with its setup, which binds its C++ entry) still serves the other dtypes.
  const stock = tf.getKernel(kernelName, 'wasm');
  if (!stock) throw new Error(`tfjs-backend-wasm registers no ${kernelName} kernel to fall back on`);
  return {
    kernelName,
    backendName: 'wasm',
    ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}),
    kernelFunc: (args) => {
      const { x } = args.inputs as unknown as tf.SumInputs;
      const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
      if (x!.dtype !== 'float32') return stock.kernelFunc(args);
      return reduceFloat32(mode, x!, axis, keepDims, args.backend as WasmBackend);
    },
  };
}

export const sumConfig = reduceConfig(tf.Sum, 'sum');
export const meanConfig = reduceConfig(tf.Mean, 'mean');
