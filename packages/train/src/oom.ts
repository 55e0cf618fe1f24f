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

export function isOutOfMemory(err: unknown): boolean {
  return !(err instanceof OutOfMemoryError) && err instanceof Error && OUT_OF_MEMORY.test(err.message);
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
