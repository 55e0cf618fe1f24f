import { engineName, useBackendUnderTest, type BackendName as EngineBackendName } from '@facemask/engine';

export type BackendName = EngineBackendName;

/** The engine the engine-sensitive tests run on: TFJS_BACKEND, default wasm. */
export const ENGINE: BackendName = engineName();

/**
 * Switches backend through the engine's selectBackend (which, for wasm, also registers the gradient
 * kernels tfjs-backend-wasm 4.22 lacks). force: tests switch between backends in one process.
 */
export async function useBackend(name: BackendName): Promise<void> {
  await useBackendUnderTest(name);
}
