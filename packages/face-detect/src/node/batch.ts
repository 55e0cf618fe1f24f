import { availableParallelism } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import { expectedBackend, resolveBackendPreference, selectBackend, type BackendName } from '@facemask/engine';
import { engineIdentity, type EngineIdentity } from '@facemask/engine/probe';
import type { DetectFailure } from '../artifact.ts';
import type { DetectOptions } from '../options.ts';
import type { DetectionRecord } from '../record.ts';
import { loadAfterDetect, type AfterDetectHook } from './after-detect.ts';
import { decodePhotoFile, PhotoError } from './decode.ts';
import { createNodeDetector } from './modules.ts';
import { WORKER_INIT_ENV, WORKER_SERIALIZATION, workerArgs, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.ts';

/** What results computed on an engine depend on (engine/probe), for a caller keying on the engine that ran. */
export { engineIdentity, type EngineIdentity };

export interface DetectFilesOptions {
  /**
   * Worker processes, each with its own tfjs engine and models; 0 runs in this process. Default:
   * one per core (wasm runs one thread per engine in Node, so two workers use both cores).
   */
  workers?: number;
  /** Backend for the workers (or this thread), as `--backend` takes it; default: auto / TFJS_BACKEND. */
  backend?: string;
  /** The config's `backend`, which TFJS_BACKEND and `backend` beat. */
  configured?: string;
  /**
   * Called in input order, with what `afterDetect` returned for the photo (null without one); a
   * photo that does not decode goes to onFailure instead.
   */
  onRecord?: (record: DetectionRecord, index: number, extra: Uint8Array | null) => void;
  /** More work on each decoded photo, in the process that decoded it, so the photo is decoded once. */
  afterDetect?: AfterDetectHook;
  /** A PhotoError (empty, truncated, corrupt). Throw to stop the run; default: stop. */
  onFailure?: (failure: DetectFailure, index: number) => void;
  /** Maps a file path to the `path` a record stores (e.g. relative to the data root). */
  recordPath?: (file: string) => string;
}

export interface DetectFilesResult {
  records: DetectionRecord[];
  failures: DetectFailure[];
  /** The backend the detectors ran on (the workers' choice when workers > 0). */
  backend: BackendName;
}

/**
 * The engine detectFiles will run on with these options, and what its results depend on, judged
 * before any worker loads it: a store of detections looks its key up with it. The result's
 * `backend` says which one did run.
 */
export function expectedDetectEngine(opts: Pick<DetectFilesOptions, 'backend' | 'configured'>, env: Record<string, string | undefined> = process.env): EngineIdentity {
  return engineIdentity(expectedBackend(opts.backend, env, opts.configured), env);
}

/**
 * Whether detectFiles leaves the engine to auto with these options (nothing names one): only
 * then can expectedDetectEngine's guess differ from the engine that loads, since a named engine
 * that cannot load is an error.
 */
export function detectEngineIsAuto(opts: Pick<DetectFilesOptions, 'backend' | 'configured'>, env: Record<string, string | undefined> = process.env): boolean {
  return resolveBackendPreference(opts.backend, env, opts.configured).preference === 'auto';
}

const stopOnFailure = (f: DetectFailure) => {
  throw new PhotoError(f.path, f.reason);
};

/**
 * Detects faces in many photo files, in order, using worker processes for both cores. Processes,
 * not worker threads: tfjs-node's binding is not safe in two threads of one process (measured
 * here: crossed op attributes, "double free or corruption", about one start in fifteen).
 */
export async function detectFiles(files: readonly string[], options: DetectOptions, opts: DetectFilesOptions = {}): Promise<DetectFilesResult> {
  const workers = Math.min(opts.workers ?? availableParallelism(), files.length);
  const onFailure = opts.onFailure ?? stopOnFailure;
  const recordPath = opts.recordPath ?? ((f: string) => f);
  const records: (DetectionRecord | undefined)[] = new Array(files.length);
  // Held only until the record is handed on in order.
  const extras: (Uint8Array | null)[] = new Array(files.length).fill(null);
  const failures: (DetectFailure | undefined)[] = new Array(files.length);
  // Results arrive out of order from workers; hand them on in input order.
  let emitted = 0;
  const emit = () => {
    while (emitted < files.length && (records[emitted] || failures[emitted])) {
      const r = records[emitted];
      if (r) {
        opts.onRecord?.(r, emitted, extras[emitted]!);
        extras[emitted] = null;
      } else onFailure(failures[emitted]!, emitted);
      emitted++;
    }
  };
  let backend: BackendName;
  if (files.length === 0) {
    backend = (await selectBackend({ prefer: opts.backend, configured: opts.configured })).name;
  } else if (workers <= 0) {
    backend = (await selectBackend({ prefer: opts.backend, configured: opts.configured })).name;
    // Before the detector: a hook that does not load leaves no model behind.
    const after = opts.afterDetect && (await loadAfterDetect(opts.afterDetect));
    const detector = await createNodeDetector(options);
    try {
      for (let i = 0; i < files.length; i++) {
        const file = files[i]!;
        try {
          const image = await decodePhotoFile(file);
          // The hook sees the record as a worker's would: named by the file.
          const record = await detector.detectRecord(file, image);
          extras[i] = after ? after(image, record, file) : null;
          records[i] = { ...record, path: recordPath(file) };
        } catch (err) {
          if (!(err instanceof PhotoError)) throw err;
          failures[i] = { path: recordPath(file), reason: err.reason };
        }
        emit();
      }
    } finally {
      detector.dispose();
    }
  } else {
    backend = await runWorkers(files, options, workers, { prefer: opts.backend, configured: opts.configured }, opts.afterDetect ?? null, (i, msg) => {
      if (msg.type === 'record') {
        extras[i] = msg.extra;
        records[i] = { ...msg.record, path: recordPath(files[i]!) };
      } else failures[i] = { path: recordPath(files[i]!), reason: msg.reason };
      emit();
    });
  }
  return {
    records: records.filter((r): r is DetectionRecord => r !== undefined),
    failures: failures.filter((f): f is DetectFailure => f !== undefined),
    backend,
  };
}

type Result = Extract<FromWorker, { type: 'record' | 'failure' }>;

function runWorkers(
  files: readonly string[],
  options: DetectOptions,
  count: number,
  backend: { prefer: string | undefined; configured: string | undefined },
  afterDetect: AfterDetectHook | null,
  onResult: (index: number, msg: Result) => void,
): Promise<BackendName> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let live = count;
    let chosen: BackendName | undefined;
    let failed = false;
    const pool: ChildProcess[] = [];
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      for (const w of pool) w.kill();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const args = workerArgs();
    for (let k = 0; k < count; k++) {
      const init: WorkerInit = { options, backend: backend.prefer ?? null, configured: backend.configured ?? null, quietBackend: k > 0, afterDetect };
      const w = spawn(process.execPath, args, {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: WORKER_SERIALIZATION,
        env: { ...process.env, [WORKER_INIT_ENV]: JSON.stringify(init) },
      });
      pool.push(w);
      let told = false;
      const feed = () => {
        if (next < files.length) {
          const index = next++;
          w.send({ type: 'file', index, file: files[index]! } satisfies ToWorker);
        } else if (!told) {
          told = true;
          w.send({ type: 'done' } satisfies ToWorker);
        }
      };
      w.on('message', (msg: FromWorker) => {
        if (failed) return;
        try {
          if (msg.type === 'ready') {
            chosen ??= msg.backend;
            // Keep two photos queued per worker so decoding overlaps inference.
            feed();
            feed();
            return;
          }
          if (msg.type === 'error') return fail(new Error(msg.message));
          onResult(msg.index, msg);
          feed();
        } catch (err) {
          fail(err);
        }
      });
      w.on('error', fail);
      w.on('exit', (code, signal) => {
        if (failed) return;
        if (code !== 0) return fail(new Error(`face-detect worker process ${w.pid} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`));
        if (--live === 0) resolve(chosen!);
      });
    }
  });
}
