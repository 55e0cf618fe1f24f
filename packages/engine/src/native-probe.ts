import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { isNativeEngine, nativeThreads, type NativeThreads } from '@facemask/contracts';

/**
 * Which engine `auto` will pick, judged from the files alone (no tfjs, no native library
 * loaded): tfjs-node-gpu if its addon is built, webgpu if a GPU is likely, tfjs-node if its addon
 * is built, else wasm. The Nx plugin puts it in
 * the train stage's cache key, so installing the native engine retrains rather than serving
 * results computed on another engine. This module loads no tfjs.
 */
export const NATIVE_PACKAGES = { 'tensorflow-gpu': '@tensorflow/tfjs-node-gpu', tensorflow: '@tensorflow/tfjs-node' } as const;

const requireHere = createRequire(import.meta.url);

/** The built addon of a native tfjs package (lib/napi-v<N>/tfjs_binding.node), or null. */
export function nativeAddon(pkg: string): string | null {
  let dir: string;
  try {
    dir = dirname(requireHere.resolve(`${pkg}/package.json`));
  } catch {
    return null;
  }
  const lib = join(dir, 'lib');
  if (!existsSync(lib)) return null;
  for (const d of readdirSync(lib).filter((n) => n.startsWith('napi-v')).sort()) {
    const addon = join(lib, d, 'tfjs_binding.node');
    if (existsSync(addon)) return addon;
  }
  return null;
}

/**
 * The file name tools/native gives its stderr-mute addon (tools/native/src/stderr-mute.ts builds
 * it), which native:install copies beside a native package's binding.
 */
export const STDERR_MUTE_FILE = 'facemask_stderr_mute.node';

/** The stderr-mute addon beside a native package's binding, or null (an older install, or none). */
export function stderrMuteAddon(pkg: string): string | null {
  const addon = nativeAddon(pkg);
  const mute = addon ? join(dirname(addon), STDERR_MUTE_FILE) : null;
  return mute && existsSync(mute) ? mute : null;
}

/**
 * The TensorFlow C library a native package's binding loads: the versioned files in its deps/lib
 * (e.g. libtensorflow.so.2.21.0) with their sizes, or null when there is none. Two libraries
 * compute different last bits, so a model stage's cache key includes it.
 */
export function nativeLibrary(pkgDir: string): string[] | null {
  const lib = join(pkgDir, 'deps', 'lib');
  if (!existsSync(lib)) return null;
  const files = readdirSync(lib).filter((n) => /^libtensorflow.*\.(so|dylib|dll)/.test(n)).sort();
  return files.length ? files.map((f) => `${f} ${statSync(join(lib, f)).size}`) : null;
}

/** nativeLibrary of the package an engine name loads (null when it is not installed). */
export function nativeLibraryOf(engine: keyof typeof NATIVE_PACKAGES): string[] | null {
  try {
    return nativeLibrary(dirname(requireHere.resolve(`${NATIVE_PACKAGES[engine]}/package.json`)));
  } catch {
    return null;
  }
}

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * The CUDA library folders that `pnpm native:install gpu` took from the nvidia-* wheels (the
 * library.json beside the TensorFlow library a package's deps/lib links to) and that
 * LD_LIBRARY_PATH lacks: [] when all are on it, null when that library records none (the
 * package's own download, LIBTENSORFLOW_DIR, the cpu wheel). TensorFlow dlopens CUDA from the
 * loader's path, read when the process started: without them it runs on the CPU.
 */
export function cudaDirsMissing(pkgDir: string, env: Record<string, string | undefined> = process.env): string[] | null {
  let folder: string;
  try {
    folder = dirname(dirname(realpathSync(join(pkgDir, 'deps', 'lib', 'libtensorflow.so'))));
  } catch {
    return null;
  }
  let manifest: { cuda?: { libDirs?: unknown }[] };
  try {
    manifest = JSON.parse(readFileSync(join(folder, 'library.json'), 'utf8')) as typeof manifest;
  } catch {
    return null;
  }
  const dirs = (manifest.cuda ?? []).flatMap((w) => (Array.isArray(w.libDirs) ? w.libDirs.filter((d): d is string => typeof d === 'string') : []));
  if (!dirs.length) return null;
  const onPath = new Set((env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean).map(realOrResolved));
  return [...new Set(dirs.map((d) => join(folder, d)))].filter((d) => !onPath.has(realOrResolved(d)));
}

/** What to do when tfjs-node-gpu's CUDA libraries are not on the loader's path, or null when they are (or it has none recorded). */
export function cudaPathHint(env: Record<string, string | undefined> = process.env): string | null {
  let pkgDir: string;
  try {
    pkgDir = dirname(requireHere.resolve(`${NATIVE_PACKAGES['tensorflow-gpu']}/package.json`));
  } catch {
    return null;
  }
  const missing = cudaDirsMissing(pkgDir, env);
  if (!missing?.length) return null;
  return `its CUDA libraries are not on the loader's path: run \`export LD_LIBRARY_PATH="${missing.join(':')}\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"\` before starting`;
}

/** The npm packages whose code computes on each engine (tfjs-core's kernels dispatch to them). */
const ENGINE_PACKAGES: Record<string, readonly string[]> = {
  'tensorflow-gpu': [NATIVE_PACKAGES['tensorflow-gpu']],
  tensorflow: [NATIVE_PACKAGES.tensorflow],
  webgpu: ['@tensorflow/tfjs-backend-webgpu', 'webgpu'],
  wasm: ['@tensorflow/tfjs-backend-wasm'],
  cpu: ['@tensorflow/tfjs-backend-cpu'],
};

/**
 * What an engine's numbers depend on besides the model and its input, read from files alone: its
 * name, the installed versions of the packages that compute on it (null: not installed) and, on
 * TensorFlow's C library, the library and its thread pools (a reduction split over other threads
 * adds in another order). A store of results computed on an engine keys on it. Not the GPU a
 * webgpu engine runs on: the stores it keys live on one machine.
 */
export interface EngineIdentity {
  name: string;
  packages: Record<string, string | null>;
  library?: string[] | null;
  threads?: NativeThreads;
}

function installedVersion(pkg: string): string | null {
  try {
    return (JSON.parse(readFileSync(requireHere.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

export function engineIdentity(name: string, env: Record<string, string | undefined> = process.env): EngineIdentity {
  const packages = Object.fromEntries(['@tensorflow/tfjs-core', ...(ENGINE_PACKAGES[name] ?? [])].map((p) => [p, installedVersion(p)]));
  if (!isNativeEngine(name)) return { name, packages };
  return { name, packages, library: nativeLibraryOf(name as keyof typeof NATIVE_PACKAGES), threads: nativeThreads(env) };
}

export function autoEngine(): 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' {
  if (nativeAddon(NATIVE_PACKAGES['tensorflow-gpu'])) return 'tensorflow-gpu';
  if (webgpuLikely()) return 'webgpu';
  if (nativeAddon(NATIVE_PACKAGES.tensorflow)) return 'tensorflow';
  return 'wasm';
}

/** Dawn's prebuilt binding for this platform: whether `webgpu` is installed, and its dawn.node if it ships one. */
export function dawnBinding(platform: NodeJS.Platform = process.platform, arch: string = process.arch): { installed: boolean; file: string | null } {
  let dir: string;
  try {
    dir = dirname(requireHere.resolve('webgpu/package.json'));
  } catch {
    return { installed: false, file: null };
  }
  const file = join(dir, 'dist', `${platform}-${platform === 'darwin' ? 'universal' : arch}`, 'dawn.node');
  return { installed: true, file: existsSync(file) ? file : null };
}

/** Where the Vulkan loader may live: LD_LIBRARY_PATH first, then Debian's and other distributions' folders. */
function libraryDirs(env: Record<string, string | undefined>): string[] {
  const fromEnv = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const multiarch = ['x86_64', 'aarch64'].flatMap((a) => [`/lib/${a}-linux-gnu`, `/usr/lib/${a}-linux-gnu`]);
  return [...fromEnv, ...multiarch, '/usr/lib64', '/usr/lib', '/lib64', '/lib', '/usr/local/lib'];
}

/** True when libvulkan.so.1 (the loader Dawn opens on Linux) is in one of the usual places. */
export function hasVulkanLoader(env: Record<string, string | undefined> = process.env): boolean {
  return libraryDirs(env).some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

/**
 * Whether auto would get webgpu, judged from files alone (Dawn is not loaded here): the binding
 * is there and, on Linux, the Vulkan loader and a GPU device node (/dev/nvidiactl or a DRM
 * render node) too. lavapipe has no device node, so a machine with only lavapipe answers false,
 * as the engine's auto does. A render node whose Vulkan driver is missing answers true while auto
 * then skips webgpu: the cache key errs towards retraining, never towards serving another engine's results.
 */
export function webgpuLikely(platform: NodeJS.Platform = process.platform): boolean {
  if (!dawnBinding(platform).file) return false;
  if (platform !== 'linux') return true;
  if (!hasVulkanLoader()) return false;
  if (existsSync('/dev/nvidiactl')) return true;
  try {
    return readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}
