import { availableParallelism } from 'node:os';

/**
 * TensorFlow's thread pools as the native engine will run with them: what the environment says,
 * else intra-op = the cores (the engine's own default, see @facemask/engine) and inter-op =
 * TensorFlow's choice. A reduction split over another number of threads adds in another order,
 * so a model stage's results, its Nx key and a fold's resume key depend on these.
 */
export interface NativeThreads {
  intra: number;
  inter: number | 'default';
}

export function nativeThreads(env: Record<string, string | undefined> = process.env, cores: number = availableParallelism()): NativeThreads {
  const intra = Number(env.TF_NUM_INTRAOP_THREADS?.trim() || cores);
  const interText = env.TF_NUM_INTEROP_THREADS?.trim();
  return { intra, inter: interText ? Number(interText) : 'default' };
}

/** Whether an engine name runs TensorFlow's C library (whose numbers depend on its threads). */
export function isNativeEngine(engine: string): boolean {
  return engine === 'tensorflow' || engine === 'tensorflow-gpu';
}
