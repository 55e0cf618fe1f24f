import * as tf from '@tensorflow/tfjs-core';

/**
 * Running out of memory reads, depending on the engine, "Aborted()" or "memory access out of
 * bounds" (the wasm heap, 4 GB at most), "OOM when allocating tensor" (TensorFlow) or a
 * RangeError from a typed array that cannot be allocated: none of which says what to do.
 */
const OUT_OF_MEMORY = /Aborted\(|memory access out of bounds|Cannot enlarge memory|out of memory|OOM when allocating|Invalid typed array length|Array buffer allocation failed/i;

export class OutOfMemoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutOfMemoryError';
  }
}

/** The error a WebAssembly trap throws (Node's global; the project's TypeScript libs do not declare it). */
export const WasmRuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } }).WebAssembly.RuntimeError;

/** The wasm heap's ceiling (the engine's memory grows to 4 GB at most). */
const WASM_HEAP = 4 * 2 ** 30;

/**
 * When the wasm heap is full, tfjs' wasm kernels get a null pointer from malloc and fail however
 * that goes ("divide by zero", "unreachable", an access out of bounds): any engine trap with the
 * heap over 80% full is taken for running out of memory; one with room left is a bug, not this.
 */
function wasmHeapTrap(err: Error): boolean {
  return err instanceof WasmRuntimeError && tf.getBackend() === 'wasm' && tf.memory().numBytes > 0.8 * WASM_HEAP;
}

export function isOutOfMemory(err: unknown): boolean {
  return !(err instanceof OutOfMemoryError) && err instanceof Error && (OUT_OF_MEMORY.test(err.message) || wasmHeapTrap(err));
}

const where = (engine: string) => (engine === 'wasm' ? 'the wasm heap (4 GB at most)' : engine === 'cpu' ? 'JavaScript memory' : `${engine} memory`);

/**
 * The one-line error for an out-of-memory failure while running batches of `batchSize` photos:
 * where it happened, how much the tensors held, and the batch size to try (`setting`: the config
 * key that sets it; null when none does).
 */
export function outOfMemoryError(err: Error, at: { task: string; during: string; batchSize: number; setting: string | null }): OutOfMemoryError {
  const held = (tf.memory().numBytes / 2 ** 30).toFixed(2);
  const fix =
    at.setting && at.batchSize > 1
      ? `set ${at.setting} to ${Math.floor(at.batchSize / 2)} and rerun`
      : 'lower preprocess.height/width or use a smaller model (model.widthMultiplier), then rerun';
  return new OutOfMemoryError(
    `${at.task} ran out of memory in ${where(tf.getBackend())} ${at.during} with batches of ${at.batchSize} photos ` +
      `(tensors held ${held} GB; the engine said: ${err.message.split('\n')[0]}): ${fix}`,
  );
}
