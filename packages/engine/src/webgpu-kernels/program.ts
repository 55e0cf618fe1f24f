import type * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-webgpu's program interface (WebGPUProgram) the kernels here fill in. */
export interface Program {
  variableNames: string[];
  uniforms?: string;
  workgroupSize: [number, number, number];
  outputShape: number[];
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  shaderKey: string;
  /** Adds `uniforms.size`, the output's element count, for flat element-wise programs. */
  size?: boolean;
  getUserCode(): string;
}

export type ProgramUniforms = { type: string; data: number[] }[];

/** WebGPUBackend's public method that compiles (once per shader key) and dispatches a program. */
export interface WebgpuBackendLike extends tf.KernelBackend {
  runWebGPUProgram(program: Program, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms?: ProgramUniforms): tf.TensorInfo;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}
