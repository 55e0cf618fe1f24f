import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'cpu' | 'wasm';

let wasmKernels: boolean | null = null;

/**
 * Registers @facemask/core's wasm gradient kernels when core provides them (tfjs-backend-wasm
 * lacks e.g. Conv2DBackpropFilter). Looked up dynamically so these tests run before and after
 * core gains them. Returns whether they are registered.
 */
export async function wasmTrainingKernels(): Promise<boolean> {
  if (wasmKernels === null) {
    const core = (await import('@facemask/core')) as Record<string, unknown>;
    const register = core.registerWasmTrainingKernels;
    if (typeof register === 'function') await (register as () => unknown)();
    wasmKernels = typeof register === 'function';
  }
  return wasmKernels;
}

export async function useBackend(name: BackendName): Promise<void> {
  if (name === 'wasm') await wasmTrainingKernels();
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} failed to initialise`);
  await tf.ready();
}
