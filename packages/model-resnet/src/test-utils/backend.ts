import { selectBackend } from '@facemask/engine';
import * as tf from '@tensorflow/tfjs-core';

export type BackendName = 'cpu' | 'wasm';

/**
 * Switches backend through core's selectBackend (which, for wasm, also registers the gradient
 * kernels tfjs-backend-wasm 4.22 lacks). force: tests switch between the two in one process.
 */
export async function useBackend(name: BackendName): Promise<void> {
  await selectBackend({ prefer: name, force: true, log: () => {} });
  if (tf.getBackend() !== name) throw new Error(`backend ${name} requested, ${tf.getBackend()} active`);
}
