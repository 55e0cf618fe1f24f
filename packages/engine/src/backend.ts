// tfjs-core's Node bundle registers no gradient functions; tfjs-layers' bundle registers all of
// them. Training needs them on every backend, so importing this module brings them in.
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { BACKEND_NAMES, BACKEND_PREFERENCES, type BackendName, type BackendPreference } from '@facemask/contracts';
import { registerWasmTrainingKernels } from './wasm-kernels/index.ts';
import { loadWebgpu } from './webgpu.ts';
import { autoEngine, cudaPathHint, stderrMuteAddon } from './native-probe.ts';
import { loadQuietly } from './quiet-load.ts';

// The names live in contracts (the config schema reads them too); re-exported for the engine's users.
export { BACKEND_NAMES, BACKEND_PREFERENCES, type BackendName, type BackendPreference };

export interface BackendChoice {
  /** One of BACKEND_NAMES: the vocabulary of `--backend` and the config's `backend`. */
  name: BackendName;
  /** Why this one: who asked for it, or why each faster one could not be used. */
  reason: string;
}

/**
 * Makes one backend the active tfjs backend, or throws saying why it cannot. May resolve to a
 * short detail worth printing (e.g. "simd, 1 thread"). `auto` is set when auto is trying it
 * rather than someone asking for it by name (webgpu then refuses a software adapter).
 */
export type BackendLoader = (opts?: { auto?: boolean }) => Promise<string | void>;

export interface SelectBackendOptions {
  /** From `--backend`; wins over TFJS_BACKEND. */
  prefer?: BackendPreference | string;
  /** The config's `backend`; TFJS_BACKEND and `--backend` win over it. */
  configured?: BackendPreference | string;
  log?: (line: string) => void;
  /** Defaults to process.env; only TFJS_BACKEND is read. */
  env?: Record<string, string | undefined>;
  /** Replaces the real loaders (tests use this to exercise fallbacks without native addons). */
  loaders?: Partial<Record<BackendName, BackendLoader>>;
  /**
   * Choose again even if this process already chose a different backend (tests that compare
   * backends in one process). Tensors made before keep their data and move on first use.
   */
  force?: boolean;
}

const LABEL: Record<BackendName, string> = {
  'tensorflow-gpu': 'tfjs-node-gpu',
  webgpu: 'webgpu',
  tensorflow: 'tfjs-node',
  wasm: 'wasm',
  cpu: 'cpu',
};

const FIX: Record<BackendName, string> = {
  'tensorflow-gpu':
    'run `pnpm native:install gpu` (tfjs-node-gpu 4.22 wants CUDA 11.2 + cuDNN 8.1 for its own libtensorflow; the tensorflow wheel\'s comes with its CUDA 12 nvidia-* wheels, on LD_LIBRARY_PATH; or a matching one through LIBTENSORFLOW_DIR) or pick another backend',
  webgpu: 'reinstall the optional packages webgpu 0.6.2 and @tensorflow/tfjs-backend-webgpu 4.22.0 (`pnpm install`) or pick another backend',
  tensorflow: "run `pnpm native:install` (builds tfjs-node 4.22.0 against TensorFlow's C library) or pick another backend",
  wasm: 'reinstall @tensorflow/tfjs-backend-wasm 4.22.0 or pick --backend cpu',
  cpu: 'reinstall @tensorflow/tfjs-backend-cpu 4.22.0',
};

/** A loader's own fix for the cause it found (a `fix` on the error), else the engine's usual one. */
function fixFor(name: BackendName, err: unknown): string {
  const own = (err as { fix?: unknown } | null)?.fix;
  return typeof own === 'string' ? own : FIX[name];
}

/** The engine and why it was chosen, as printed after "backend: " and kept in run records. */
export function backendLine(choice: BackendChoice): string {
  return `${choice.name} (${choice.reason})`;
}

/** The one-line cause of a load failure, without the stack or install paths. */
export function describeLoadError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (/native addon module .*can ?not be found/is.test(message)) return 'native addon not found';
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (package|module)/.test(message)) {
    return 'not installed';
  }
  const lib = /(lib(?:cud\w*|cublas\w*|cufft\w*|curand\w*|cusolver\w*|cusparse\w*|nvinfer\w*|tensorflow\w*)\.so[\w.]*)/.exec(message);
  if (lib) return `cannot load ${lib[1]} (CUDA/TensorFlow shared library missing)`;
  const first = message.split('\n')[0]!.trim();
  return first.length > 160 ? `${first.slice(0, 157)}...` : first;
}

function parsePreference(value: string, source: string): BackendPreference {
  const v = value.trim().toLowerCase();
  if ((BACKEND_PREFERENCES as readonly string[]).includes(v)) return v as BackendPreference;
  throw new Error(`Unknown tfjs backend "${value}" (from ${source}). Valid: ${BACKEND_PREFERENCES.join(', ')}.`);
}

/**
 * The requested preference and who decided it: `--backend` beats TFJS_BACKEND beats the
 * config's `backend` beats auto. 'auto' at any level counts as no request, so the next one
 * down still applies.
 */
export function resolveBackendPreference(
  prefer: string | undefined,
  env: Record<string, string | undefined> = process.env,
  configured?: string,
): { preference: BackendPreference; source: string } {
  const given = (v: string | undefined) => v !== undefined && v.trim() !== '';
  const levels: [string | undefined, string][] = [
    [prefer, '--backend'],
    [env.TFJS_BACKEND, 'TFJS_BACKEND'],
    [configured, 'the config (backend)'],
  ];
  for (const [value, source] of levels) {
    if (!given(value)) continue;
    const p = parsePreference(value as string, source);
    if (p !== 'auto') return { preference: p, source };
  }
  return { preference: 'auto', source: 'auto' };
}

/**
 * The backend selectBackend will pick for these requests, judged without loading one: the one
 * asked for, else the engine auto picks as judged from the files (autoEngine, the Nx keys' answer
 * too). A caller that keys stored results on it checks the backend that actually ran.
 */
export function expectedBackend(prefer: string | undefined, env: Record<string, string | undefined> = process.env, configured?: string): BackendName {
  const { preference } = resolveBackendPreference(prefer, env, configured);
  return preference === 'auto' ? autoEngine() : preference;
}

/**
 * Picks and activates a backend without memoising or printing. Auto tries, fastest first,
 * tfjs-node-gpu, webgpu (a hardware adapter only), tfjs-node, wasm, cpu; an explicit request that cannot load is an error, never a
 * silent fallback to something slower.
 */
export async function chooseBackend(opts: SelectBackendOptions = {}): Promise<BackendChoice> {
  const { preference, source } = resolveBackendPreference(opts.prefer, opts.env, opts.configured);
  const loaders = { ...defaultLoaders(), ...opts.loaders };
  const withDetail = (why: string, detail: string | void) => (detail ? `${detail}; ${why}` : why);

  if (preference !== 'auto') {
    let detail: string | void;
    try {
      detail = await loaders[preference]();
    } catch (err) {
      throw new Error(
        `tfjs backend "${preference}" (requested by ${source}) cannot be used: ${LABEL[preference]}: ${describeLoadError(err)}. ` +
          `Fix: ${fixFor(preference, err)}, or leave ${source} unset to pick the fastest available one.`,
        { cause: err },
      );
    }
    return { name: preference, reason: withDetail(`requested by ${source}`, detail) };
  }

  const skipped: string[] = [];
  for (const name of BACKEND_NAMES) {
    try {
      const detail = await loaders[name]({ auto: true });
      return { name, reason: withDetail(skipped.length ? skipped.join('; ') : 'fastest available', detail) };
    } catch (err) {
      skipped.push(`${LABEL[name]}: ${describeLoadError(err)}`);
    }
  }
  throw new Error(`No tfjs backend could be loaded (${skipped.join('; ')}). Reinstall the workspace dependencies.`);
}

let selection: { preference: BackendPreference; promise: Promise<BackendChoice> } | undefined;
let settled: BackendChoice | undefined;

/**
 * Chooses the backend once per process and prints the choice once, e.g.
 * "backend: tensorflow (tfjs-node 4.22.0 on TensorFlow 2.21.0, 2 threads; tfjs-node-gpu: native addon not found)" or
 * "backend: wasm (simd, 1 thread; tfjs-node-gpu: native addon not found; tfjs-node: native addon not found)".
 * Later calls return the same choice (re-activating it if something switched tfjs away); asking
 * for a different explicit backend afterwards is an error unless `force` is set, since tensors
 * already made would silently move between backends.
 */
export async function selectBackend(opts: SelectBackendOptions = {}): Promise<BackendChoice> {
  const { preference } = resolveBackendPreference(opts.prefer, opts.env, opts.configured);
  if (selection && !opts.force) {
    const chosen = await selection.promise.catch(() => undefined);
    if (chosen) {
      if (preference !== 'auto' && preference !== selection.preference && preference !== chosen.name) {
        throw new Error(
          `tfjs backend is already "${chosen.name}" in this process (${chosen.reason}); cannot switch to "${preference}". ` +
            'Choose the backend once, before any model is built.',
        );
      }
      // Someone called tf.setBackend directly since: put the chosen backend back.
      if (tf.getBackend() !== tfjsName(chosen.name)) await { ...defaultLoaders(), ...opts.loaders }[chosen.name]();
      return chosen;
    }
  }
  const log = opts.log ?? ((line: string) => console.log(line));
  const promise = chooseBackend(opts).then((choice) => {
    if (settled?.name !== choice.name || settled.reason !== choice.reason) log(`backend: ${backendLine(choice)}`);
    settled = choice;
    return choice;
  });
  selection = { preference, promise };
  // A failed choice is not remembered: the caller may fix the cause and try again.
  promise.catch(() => {
    if (selection?.promise === promise) selection = undefined;
  });
  return promise;
}

function tfjsName(name: BackendName): string {
  return name === 'tensorflow-gpu' ? 'tensorflow' : name;
}

/** The backend selectBackend settled on in this process, or null before it has. */
export function currentBackend(): BackendChoice | null {
  return settled ?? null;
}

const requireHere = createRequire(import.meta.url);

/** The folder holding tfjs-backend-wasm's .wasm binaries (its main script sits beside them). */
export function wasmBinaryDir(): string {
  const dir = dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm'));
  const missing = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'].filter((f) => !existsSync(join(dir, f)));
  if (missing.length) throw new Error(`${dir} lacks ${missing.join(', ')}`);
  return dir;
}

/**
 * What TensorFlow reads from the environment when the native binding loads, unless the user set
 * it: a quiet log (warnings and info off; the lines absl and oneDNN print while the library loads
 * ignore it, and loadQuietly drops those), and intra-op threads = the cores, stated so the backend
 * line can name the count.
 */
export function nativeEnvDefaults(cores: number = availableParallelism()): Record<string, string> {
  return { TF_CPP_MIN_LOG_LEVEL: '2', TF_NUM_INTRAOP_THREADS: String(cores) };
}

/** The native backend's detail for the backend line: package, library and threads. */
export function nativeDetail(info: { label: string; tfjsNode?: string; tensorflow?: string; gpu?: boolean; cudaHint?: string | null; threads: number }): string {
  const device = info.gpu === undefined ? '' : info.gpu ? ', GPU' : `, no GPU found: runs on the CPU${info.cudaHint ? ` (${info.cudaHint})` : ''}`;
  const version = info.tfjsNode ? ` ${info.tfjsNode}` : '';
  const library = info.tensorflow ? ` on TensorFlow ${info.tensorflow}` : '';
  return `${info.label}${version}${library}${device}, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
}

/** The native package whose binding this process loaded: one TensorFlow library per process. */
let nativeLoaded: { pkg: string; detail: string } | undefined;

async function loadNative(pkg: string, label: string, gpu: boolean): Promise<string> {
  if (nativeLoaded) {
    // Loading the other package too would register its kernels over the first one's and load a
    // second TensorFlow library into the process.
    if (nativeLoaded.pkg !== pkg) throw new Error(`${nativeLoaded.pkg} is already loaded in this process`);
    if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but tf.setBackend('tensorflow') failed`);
    return nativeLoaded.detail;
  }
  for (const [key, value] of Object.entries(nativeEnvDefaults())) {
    if (!process.env[key]?.trim()) process.env[key] = value;
  }
  // A native package that fails half-way has already registered its 'tensorflow' kernels;
  // remove them so the next attempt (tfjs-node after tfjs-node-gpu) starts clean and quiet.
  const before = new Set(tf.getKernelsForBackend('tensorflow').map((k) => k.kernelName));
  let mod: { version?: Record<string, string>; default?: { version?: Record<string, string> } };
  try {
    // TensorFlow prints its start-up lines while the binding loads and the backend starts.
    mod = await loadQuietly(async () => {
      const loaded = (await import(pkg)) as typeof mod;
      if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but tf.setBackend('tensorflow') failed`);
      return loaded;
    }, { addon: stderrMuteAddon(pkg) });
  } catch (err) {
    for (const k of tf.getKernelsForBackend('tensorflow')) {
      if (!before.has(k.kernelName)) tf.unregisterKernel(k.kernelName, 'tensorflow');
    }
    throw err;
  }
  const backend = tf.backend() as { binding?: { TF_Version?: string }; isUsingGpuDevice?: boolean };
  const detail = nativeDetail({
    label,
    tfjsNode: (mod.version ?? mod.default?.version)?.['tfjs-node'],
    tensorflow: backend.binding?.TF_Version,
    gpu: gpu ? backend.isUsingGpuDevice === true : undefined,
    cudaHint: gpu && backend.isUsingGpuDevice !== true ? cudaPathHint() : null,
    threads: Number(process.env.TF_NUM_INTRAOP_THREADS),
  });
  nativeLoaded = { pkg, detail };
  return detail;
}

/*
 * wasm in Node (measured with Node 20, tfjs-backend-wasm 4.22):
 * - SIMD works: WASM_HAS_SIMD_SUPPORT is true, so tfjs-backend-wasm-simd.wasm is used.
 * - Threads do not: WASM_HAS_MULTITHREAD_SUPPORT is hard-wired to false under Node
 *   (tensorflow/tfjs#3830), and forcing it true fails at init with ERR_WORKER_PATH because
 *   Emscripten's pthread pool starts Workers from blob: URLs, which Node's Worker rejects.
 *   So wasm training here runs on one core.
 */
async function loadWasm(): Promise<string> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(`${wasmBinaryDir()}/`);
  registerWasmTrainingKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') failed (see the error printed above)");
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = wasm.getThreadsCount();
  return `${simd ? 'simd' : 'no simd'}, ${threads} thread${threads === 1 ? '' : 's'}`;
}

async function loadCpu(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error("tf.setBackend('cpu') failed");
}

/** The real loaders. Package names go through a variable so a missing optional one is a runtime, not a type, error. */
export function defaultLoaders(): Record<BackendName, BackendLoader> {
  const gpu = '@tensorflow/tfjs-node-gpu';
  const node = '@tensorflow/tfjs-node';
  return {
    'tensorflow-gpu': () => loadNative(gpu, LABEL['tensorflow-gpu'], true),
    webgpu: loadWebgpu,
    tensorflow: () => loadNative(node, LABEL.tensorflow, false),
    wasm: loadWasm,
    cpu: loadCpu,
  };
}
