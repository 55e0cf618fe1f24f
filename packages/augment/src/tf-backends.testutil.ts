import { backendsUnderTest, useBackendUnderTest, type BackendName } from '@facemask/engine';

/** Switches tfjs to the cpu backend or the engine under test (TFJS_BACKEND, default wasm) for a test file. */
export async function useBackend(name: BackendName): Promise<void> {
  await useBackendUnderTest(name);
}

/** cpu (the reference kernels) first, then the engine under test. */
export const BACKENDS = backendsUnderTest();
