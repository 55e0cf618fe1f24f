import * as tf from '@tensorflow/tfjs-core';
import { resolveBackendPreference, selectBackend, type BackendName } from './backend.ts';

/**
 * The engine the engine-sensitive tests run on: TFJS_BACKEND, default wasm (what every fresh
 * machine has). `pnpm test:engine` runs those suites with TFJS_BACKEND=tensorflow.
 */
export function engineName(env: Record<string, string | undefined> = process.env): BackendName {
  const { preference } = resolveBackendPreference(undefined, env);
  return preference === 'auto' ? 'wasm' : preference;
}

/**
 * Activates the engine under test (forced: a test file may visit cpu and come back). An engine
 * that cannot load fails the test file: a skipped engine would hide the regression it exists for.
 */
export async function engineUnderTest(env: Record<string, string | undefined> = process.env): Promise<BackendName> {
  const name = engineName(env);
  // Through TFJS_BACKEND itself when set, so a failure names the variable that asked for it.
  const fromEnv = Boolean(env.TFJS_BACKEND?.trim());
  await selectBackend({ ...(fromEnv ? {} : { prefer: name }), env, force: true, log: () => {} });
  const active = tf.getBackend();
  const expected = name === 'tensorflow-gpu' ? 'tensorflow' : name;
  if (active !== expected) throw new Error(`engine under test is ${name} (TFJS_BACKEND), but tfjs runs on ${active}`);
  return name;
}

/** cpu (tfjs's reference kernels) and the engine under test, for suites that check both. */
export function backendsUnderTest(env: Record<string, string | undefined> = process.env): BackendName[] {
  const engine = engineName(env);
  return engine === 'cpu' ? ['cpu'] : ['cpu', engine];
}

/** Activates one of backendsUnderTest(): the engine through engineUnderTest, others by name. */
export async function useBackendUnderTest(name: BackendName, env: Record<string, string | undefined> = process.env): Promise<void> {
  if (name === engineName(env)) {
    await engineUnderTest(env);
    return;
  }
  await selectBackend({ prefer: name, env, force: true, log: () => {} });
  const expected = name === 'tensorflow-gpu' ? 'tensorflow' : name;
  if (tf.getBackend() !== expected) throw new Error(`backend ${name} requested, ${tf.getBackend()} active`);
}
