import * as tf from '@tensorflow/tfjs-core';

/**
 * Synchronous reads (dataSync, arraySync) on tfjs-backend-webgpu in Node.
 *
 * The backend's readSync copies the GPU buffer through an OffscreenCanvas, which Node lacks
 * ("OffscreenCanvas is not defined"), and a GPU buffer can otherwise only be read with mapAsync.
 * Dawn's Node binding resolves mapAsync from a tick it queues with the global setImmediate (each
 * tick processes Dawn's events and queues the next while work is pending); a JS loop that waits
 * never lets that tick run. So this module routes the binding's ticks through a wrapper that
 * remembers them, and readSync runs the remembered ticks itself until the staging buffer is
 * mapped, the same copy-and-map the backend's async read does. The wrapper must be installed
 * before Dawn queues its first tick (installTickCapture, before the binding is created).
 */

interface PendingTick {
  fn: () => void;
  handle: NodeJS.Immediate;
}

let pending: PendingTick[] = [];
let installed = false;

/**
 * Wraps the global setImmediate: zero-argument native functions (the binding's tick; JS code
 * queues JS functions) are remembered until they run, so pumpTicks can run them early. Every
 * callback still runs exactly once, on the event loop or from pumpTicks, whichever comes first.
 */
export function installTickCapture(): void {
  if (installed) return;
  installed = true;
  const realSet = globalThis.setImmediate;
  const wrapped = function (this: unknown, fn: (...args: unknown[]) => void, ...args: unknown[]): NodeJS.Immediate {
    if (typeof fn !== 'function' || args.length > 0 || !Function.prototype.toString.call(fn).includes('[native code]')) {
      return realSet(fn, ...args);
    }
    const entry = { fn } as PendingTick;
    entry.handle = realSet(() => {
      pending = pending.filter((p) => p !== entry);
      fn();
    });
    pending.push(entry);
    return entry.handle;
  };
  // Keeps setImmediate's own properties (util.promisify's custom form) on the wrapper.
  Object.assign(wrapped, realSet);
  globalThis.setImmediate = wrapped as typeof setImmediate;
}

/** Runs the remembered ticks now (cancelling their queued runs); false when none was waiting. */
function pumpTicks(): boolean {
  const now = pending;
  if (now.length === 0) return false;
  pending = [];
  for (const p of now) {
    clearImmediate(p.handle);
    p.fn();
  }
  return true;
}

interface StagingBuffer {
  size: number;
  mapState: 'unmapped' | 'pending' | 'mapped';
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}
interface TensorData {
  values: tf.backend_util.BackendValues | null;
  dtype: tf.DataType;
  resource: StagingBuffer;
  complexTensorInfos?: { real: tf.TensorInfo; imag: tf.TensorInfo };
}
interface WebgpuBackendLike {
  tensorMap: { get(id: tf.DataId): TensorData };
  bufferManager: { acquireBuffer(size: number, usage: number): StagingBuffer; releaseBuffer(b: StagingBuffer): void };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  commandEncoder: { copyBufferToBuffer(src: StagingBuffer, so: number, dst: StagingBuffer, dO: number, size: number): void };
  submitQueue(): void;
  convertAndCacheOnCPU(id: tf.DataId, v: tf.backend_util.BackendValues): tf.backend_util.BackendValues;
  readSync(id: tf.DataId): tf.backend_util.BackendValues;
}

/** How long one synchronous read may wait for the GPU before it is reported as hung. */
const READ_TIMEOUT_MS = 600_000;

/** Copies a GPU buffer to the CPU and waits for it by running Dawn's ticks. */
function readBufferSync(backend: WebgpuBackendLike, buffer: StagingBuffer): ArrayBuffer {
  const g = globalThis as unknown as { GPUBufferUsage: { COPY_DST: number; MAP_READ: number }; GPUMapMode: { READ: number } };
  const staging = backend.bufferManager.acquireBuffer(buffer.size, g.GPUBufferUsage.COPY_DST | g.GPUBufferUsage.MAP_READ);
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.commandEncoder.copyBufferToBuffer(buffer, 0, staging, 0, buffer.size);
  backend.submitQueue();
  let failure: unknown;
  staging.mapAsync(g.GPUMapMode.READ).catch((err: unknown) => {
    failure = err;
  });
  const start = Date.now();
  while (staging.mapState === 'pending') {
    if (!pumpTicks() && Date.now() - start > READ_TIMEOUT_MS) {
      throw new Error(`webgpu: a synchronous read waited ${READ_TIMEOUT_MS / 1000} s for the GPU (Dawn queued no tick): use await tensor.data()`);
    }
  }
  if (staging.mapState !== 'mapped') {
    backend.bufferManager.releaseBuffer(staging);
    throw new Error(`webgpu: mapping a buffer for a synchronous read failed${failure instanceof Error ? `: ${failure.message}` : ''}`);
  }
  const values = staging.getMappedRange().slice(0);
  staging.unmap();
  backend.bufferManager.releaseBuffer(staging);
  return values;
}

/** Replaces WebGPUBackend.prototype.readSync with the map-and-pump read above. Idempotent. */
export function patchReadSync(proto: object): void {
  const p = proto as WebgpuBackendLike & { __facemaskReadSync?: true };
  if (p.__facemaskReadSync) return;
  p.readSync = function (this: WebgpuBackendLike, dataId: tf.DataId): tf.backend_util.BackendValues {
    const data = this.tensorMap.get(dataId);
    if (data.values != null || data.dtype === 'string') return data.values!;
    if (data.dtype === 'complex64') {
      const real = this.readSync(data.complexTensorInfos!.real.dataId) as Float32Array;
      const imag = this.readSync(data.complexTensorInfos!.imag.dataId) as Float32Array;
      return this.convertAndCacheOnCPU(dataId, tf.backend_util.mergeRealAndImagArrays(real, imag));
    }
    const values = tf.util.convertBackendValuesAndArrayBuffer(readBufferSync(this, data.resource), data.dtype);
    return this.convertAndCacheOnCPU(dataId, values);
  };
  Object.defineProperty(p, '__facemaskReadSync', { value: true });
}
