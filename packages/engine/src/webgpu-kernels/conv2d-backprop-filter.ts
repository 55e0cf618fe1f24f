import * as tf from '@tensorflow/tfjs-core';
import type { Program, WebgpuBackendLike } from './program.ts';

/**
 * Conv2DBackpropFilter for tfjs-backend-webgpu as an implicit GEMM.
 *
 * dW[k, co] = Σ_m im2col(x)[m, k] · dy[m, co], with m = (n, oh, ow) over the batch and the output
 * positions and k = (a, b, ci) over the filter: a matrix product whose inner dimension m is long
 * (64·56·56 = 200,704 for ResNet's stem at 112 px, batch 64) and whose output is small (147 x 64).
 * tfjs-backend-webgpu 4.22 runs one thread per filter entry looping over all of m
 * (Conv2DDerFilterProgram): 9,408 threads doing 200,704 steps each, 82% of a training step's GPU
 * time in the probe (../shared/gpu-probe). Here each workgroup computes a 32x32 tile of dW over
 * one slice of m, staging 16 rows of the im2col matrix (read straight from x, never built) and of
 * dy at a time in workgroup memory, each thread accumulating 4x4 entries; the m slices (split-K)
 * give the GPU enough workgroups and are summed afterwards by the backend's Sum.
 */

const TILE = 32; // dW tile per workgroup: 32 filter rows (k) x 32 output channels
const TILE_M = 16; // rows of m staged per step
const THREADS = 8; // 8 x 8 threads, 4 x 4 entries each
/** Enough workgroups to fill a large GPU; small problems get fewer (each slice at least MIN_M rows). */
const TARGET_WORKGROUPS = 512;
const MIN_M_PER_SLICE = 256;

/** How the m dimension is split into slices: slice length (a multiple of TILE_M) and count. */
export function splitPlan(m: number, k: number, co: number): { slices: number; perSlice: number } {
  const tiles = Math.ceil(k / TILE) * Math.ceil(co / TILE);
  const wanted = Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / tiles), Math.ceil(m / MIN_M_PER_SLICE)));
  const perSlice = Math.ceil(Math.ceil(m / wanted) / TILE_M) * TILE_M;
  return { slices: Math.ceil(m / perSlice), perSlice };
}

class Conv2DBackpropFilterGemmProgram implements Program {
  variableNames = ['x', 'dy'];
  uniforms =
    'pads : vec2<i32>, strides : vec2<i32>, filterDims : vec2<i32>, inDims : vec2<i32>, outDims : vec2<i32>, ' +
    'inChannels : i32, outChannels : i32, kSize : i32, mSize : i32, mPerSlice : i32,';
  workgroupSize: [number, number, number] = [THREADS, THREADS, 1];
  outputShape: number[];
  dispatchLayout = { x: [2], y: [1], z: [0] };
  dispatch: [number, number, number];
  shaderKey = 'facemaskConv2DBackpropFilterGemm';

  constructor(slices: number, k: number, co: number) {
    this.outputShape = [slices, k, co];
    this.dispatch = [Math.ceil(co / TILE), Math.ceil(k / TILE), slices];
  }

  getUserCode(): string {
    const per = TILE / THREADS; // 4
    const loads = (TILE_M * TILE) / (THREADS * THREADS); // 8
    return `
      var<workgroup> tileX : array<array<f32, ${TILE}>, ${TILE_M}>;
      var<workgroup> tileDy : array<array<f32, ${TILE}>, ${TILE_M}>;

      // Row m, column k of the im2col matrix of x (NHWC), 0 in the padding.
      fn im2col(m : i32, k : i32) -> f32 {
        if (m >= uniforms.mSize || k >= uniforms.kSize) { return 0.0; }
        let ow = m % uniforms.outDims[1];
        let nh = m / uniforms.outDims[1];
        let oh = nh % uniforms.outDims[0];
        let n = nh / uniforms.outDims[0];
        let c = k % uniforms.inChannels;
        let ab = k / uniforms.inChannels;
        let b = ab % uniforms.filterDims[1];
        let a = ab / uniforms.filterDims[1];
        let row = oh * uniforms.strides[0] + a - uniforms.pads[0];
        let col = ow * uniforms.strides[1] + b - uniforms.pads[1];
        if (row < 0 || row >= uniforms.inDims[0] || col < 0 || col >= uniforms.inDims[1]) { return 0.0; }
        return x[((n * uniforms.inDims[0] + row) * uniforms.inDims[1] + col) * uniforms.inChannels + c];
      }

      fn dyAt(m : i32, co : i32) -> f32 {
        if (m >= uniforms.mSize || co >= uniforms.outChannels) { return 0.0; }
        return dy[m * uniforms.outChannels + co];
      }

      ${'fn main()'} {
        let lx = i32(localId.x);
        let ly = i32(localId.y);
        let tid = ly * ${THREADS} + lx;
        let coBase = i32(workgroupId.x) * ${TILE};
        let kBase = i32(workgroupId.y) * ${TILE};
        let slice = i32(workgroupId.z);
        let mStart = slice * uniforms.mPerSlice;
        let mEnd = min(mStart + uniforms.mPerSlice, uniforms.mSize);
        var acc : array<array<f32, ${per}>, ${per}>;
        // The step count comes from a uniform, not from workgroupId (a private copy of the builtin,
        // which WGSL's uniformity analysis does not trust): workgroupBarrier needs uniform control flow.
        let steps = uniforms.mPerSlice / ${TILE_M};
        for (var step = 0; step < steps; step = step + 1) {
          let m0 = mStart + step * ${TILE_M};
          for (var i = 0; i < ${loads}; i = i + 1) {
            let e = tid + i * ${THREADS * THREADS};
            let r = e / ${TILE};
            let c = e % ${TILE};
            let m = m0 + r;
            var xv = 0.0;
            var dv = 0.0;
            if (m < mEnd) {
              xv = im2col(m, kBase + c);
              dv = dyAt(m, coBase + c);
            }
            tileX[r][c] = xv;
            tileDy[r][c] = dv;
          }
          workgroupBarrier();
          for (var r = 0; r < ${TILE_M}; r = r + 1) {
            var a : array<f32, ${per}>;
            var b : array<f32, ${per}>;
            for (var i = 0; i < ${per}; i = i + 1) {
              a[i] = tileX[r][ly + i * ${THREADS}];
              b[i] = tileDy[r][lx + i * ${THREADS}];
            }
            for (var i = 0; i < ${per}; i = i + 1) {
              for (var j = 0; j < ${per}; j = j + 1) {
                acc[i][j] = fma(a[i], b[j], acc[i][j]);
              }
            }
          }
          workgroupBarrier();
        }
        for (var i = 0; i < ${per}; i = i + 1) {
          for (var j = 0; j < ${per}; j = j + 1) {
            let k = kBase + ly + i * ${THREADS};
            let co = coBase + lx + j * ${THREADS};
            if (k < uniforms.kSize && co < uniforms.outChannels) {
              setOutputAtIndex((slice * uniforms.kSize + k) * uniforms.outChannels + co, acc[i][j]);
            }
          }
        }
      }
    `;
  }
}

/** The implicit GEMM above for NHWC float32; anything else goes to the backend's own kernel. */
export function gemmConv2DBackpropFilter(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as unknown as tf.Conv2DBackpropFilterInputs;
    const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const backend = args.backend as WebgpuBackendLike;
    if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC' || x!.dtype !== 'float32' || dy!.dtype !== 'float32') return original(args);
    const info = tf.backend_util.computeConv2DInfo(
      x!.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const [kh, kw, ci, co] = attrs.filterShape;
    if (dy!.shape[1] !== info.outHeight || dy!.shape[2] !== info.outWidth) {
      throw new Error(`Conv2DBackpropFilter (webgpu): dy is ${dy!.shape[1]}x${dy!.shape[2]} but the forward conv yields ${info.outHeight}x${info.outWidth}`);
    }
    const k = kh * kw * ci;
    const m = info.batchSize * info.outHeight * info.outWidth;
    const { slices, perSlice } = splitPlan(m, k, co);
    const program = new Conv2DBackpropFilterGemmProgram(slices, k, co);
    const uniforms = [
      { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
      { type: 'int32', data: [info.strideHeight, info.strideWidth] },
      { type: 'int32', data: [kh, kw] },
      { type: 'int32', data: [info.inHeight, info.inWidth] },
      { type: 'int32', data: [info.outHeight, info.outWidth] },
      { type: 'int32', data: [ci] },
      { type: 'int32', data: [co] },
      { type: 'int32', data: [k] },
      { type: 'int32', data: [m] },
      { type: 'int32', data: [perSlice] },
    ];
    const partial = backend.runWebGPUProgram(program, [x!, dy!], 'float32', uniforms);
    // The wrapper takes over the program's output (a fresh buffer no one else holds): the tidy
    // releases the slices once they are summed, or keeps them as the result's data when there is one.
    return tf.tidy(() => {
      const p = tf.engine().makeTensorFromTensorInfo(partial);
      return tf.reshape(slices > 1 ? tf.sum(p, 0) : p, attrs.filterShape);
    });
  };
}
