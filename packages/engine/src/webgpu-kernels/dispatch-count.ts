import * as tf from '@tensorflow/tfjs-core';
import { valuesOn } from '../wasm-kernels/parity.ts';
import type { WebgpuBackendLike } from './program.ts';

/** For the kernels' tests: valuesOn('webgpu', f) and how many programs f ran through runWebGPUProgram. */
export function valuesAndDispatches(f: () => tf.Tensor | tf.Tensor[]): { values: Float32Array[]; dispatches: number } {
  const backend = tf.findBackend('webgpu') as WebgpuBackendLike;
  const run = backend.runWebGPUProgram.bind(backend);
  let dispatches = 0;
  backend.runWebGPUProgram = (...args) => {
    dispatches++;
    return run(...args);
  };
  try {
    const values = valuesOn('webgpu', f);
    return { values, dispatches };
  } finally {
    backend.runWebGPUProgram = run;
  }
}
