import { selectBackend, type BackendName } from '@facemask/engine';

/**
 * The engine the engine-sensitive tests run on: TFJS_BACKEND (wasm when unset), through core's
 * selectBackend so wasm gets its training kernels and an engine that cannot load fails the test
 * instead of falling back.
 */
export async function useTestEngine(): Promise<BackendName> {
  const wanted = process.env.TFJS_BACKEND?.trim() || 'wasm';
  return (await selectBackend({ prefer: wanted, log: () => {} })).name;
}
