import type * as tf from '@tensorflow/tfjs-core';
import { ABS_SUM } from '../kernel-names.ts';
import type { Program, WebgpuBackendLike } from './program.ts';

/**
 * Σ|x| in one dispatch (see ../kernel-names.ts), where tf.sum(tf.abs(x)) is two and writes |x|
 * out in between. One workgroup, as tfjs-backend-webgpu's own Sum to a scalar is: its lanes
 * stride through x, then add their partial sums pairwise in a fixed order, so runs repeat bit for bit.
 */

const LANES = 256;

class AbsSumProgram implements Program {
  variableNames = ['x'];
  uniforms = 'count : i32,';
  workgroupSize: [number, number, number] = [LANES, 1, 1];
  outputShape = [1];
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number] = [1, 1, 1];
  shaderKey = 'facemaskAbsSum';

  getUserCode(): string {
    return `
      var<workgroup> partial : array<f32, ${LANES}>;

      fn main(index : i32) {
        let lane = i32(localId.x);
        var s = 0.0;
        for (var i = lane; i < uniforms.count; i = i + ${LANES}) { s = s + abs(x[i]); }
        partial[lane] = s;
        for (var half = ${LANES / 2}; half > 0; half = half / 2) {
          workgroupBarrier();
          if (lane < half) { partial[lane] = partial[lane] + partial[lane + half]; }
        }
        if (lane == 0) { result[0] = partial[0]; }
      }
    `;
  }
}

function absSum(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  if (x.dtype !== 'float32') throw new Error(`${ABS_SUM} (webgpu): x must be float32, got ${x.dtype}`);
  const backend = args.backend as WebgpuBackendLike;
  const count = x.shape.reduce((a, b) => a * b, 1);
  if (count === 0) return backend.makeTensorInfo([], 'float32', new Float32Array([0]));
  const out = backend.runWebGPUProgram(new AbsSumProgram(), [x], 'float32', [{ type: 'int32', data: [count] }]);
  // A scalar over the program's [1] buffer, as the backend's own Reshape makes one.
  return { ...out, shape: [] };
}

export const ABS_SUM_KERNEL: tf.KernelConfig = { kernelName: ABS_SUM, backendName: 'webgpu', kernelFunc: absSum as tf.KernelFunc };
