import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BackendName } from '@facemask/engine';
import type { DetectOptions } from '../options.ts';
import type { AfterDetectHook } from './after-detect.ts';
import type { DetectionRecord } from '../record.ts';

export interface WorkerInit {
  options: DetectOptions;
  backend: string | null;
  /** The config's backend (see DetectFilesOptions.configured). */
  configured: string | null;
  /** Only the first worker prints the backend line. */
  quietBackend: boolean;
  /** Runs on each decoded photo after its detection (DetectFilesOptions.afterDetect). */
  afterDetect: AfterDetectHook | null;
}

export type ToWorker = { type: 'file'; index: number; file: string } | { type: 'done' };
export type FromWorker =
  | { type: 'ready'; backend: BackendName }
  | { type: 'record'; index: number; record: DetectionRecord; extra: Uint8Array | null }
  | { type: 'failure'; index: number; reason: string }
  | { type: 'error'; message: string };

/**
 * The IPC channel's serialization: structured clone, which carries an afterDetect hook's bytes
 * as bytes (JSON would turn a Uint8Array into an object of numbered keys).
 */
export const WORKER_SERIALIZATION = 'advanced';

/** The environment variable a worker process reads its WorkerInit from (JSON). */
export const WORKER_INIT_ENV = 'FACEMASK_DETECT_WORKER';

/**
 * How to start a worker process: node's arguments. From dist: worker.js as is. From source (tsx,
 * vitest), Node cannot load worker.ts by itself: a small module given to -e registers tsx's loader
 * first, with the "source" export condition so workspace packages resolve to their TypeScript too.
 */
export function workerArgs(): string[] {
  if (!import.meta.url.endsWith('.ts')) return [fileURLToPath(new URL('./worker.js', import.meta.url))];
  // The ESM build of tsx's API: require.resolve would give the CommonJS one.
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const worker = new URL('./worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); });`;
  return ['--conditions=source', '--input-type=module', '-e', code];
}
