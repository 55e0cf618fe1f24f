import * as tf from '@tensorflow/tfjs-core';
import { dawnBinding, hasVulkanLoader } from './native-probe.ts';
import { installTickCapture, patchReadSync } from './webgpu-sync-read.ts';
import { registerWebgpuTrainingKernels } from './webgpu-kernels/index.ts';

/**
 * The webgpu engine: tfjs-backend-webgpu on Dawn's Node binding (`webgpu` on npm, a prebuilt
 * dawn.node per platform), which reaches the GPU through Vulkan on Linux, Metal on macOS and
 * D3D12 on Windows. Both packages are optional dependencies of this one: a platform without a
 * prebuilt binding still installs, and this engine then fails to load naming why.
 */

/** What the backend line and auto need to know about the adapter Dawn chose. */
export interface WebgpuAdapter {
  /** e.g. "Vulkan": the native API Dawn drives on this platform. */
  api: string;
  /** The adapter's own description, e.g. "llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)" or "NVIDIA H200". */
  name: string;
  /** A CPU rasteriser (lavapipe's llvmpipe, SwiftShader): correct but slow, never chosen by auto. */
  software: boolean;
}

/** The parts of GPUAdapterInfo read here (Dawn fills these; the spec lets any be empty). */
export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|softpipe|warp|basic render driver/i;

/** Names the adapter and says whether it is a software one (flagged, or known by name). */
export function describeAdapter(info: AdapterInfoLike, platform: NodeJS.Platform = process.platform): WebgpuAdapter {
  const text = [info.description, info.device, info.vendor].filter((s): s is string => Boolean(s?.trim()));
  // Dawn appends a Mesa-internal "0.0.1" driver number to lavapipe's description; the rest says it all.
  const name = (text[0] ?? 'unnamed adapter').trim().replace(/\s+0\.0\.1$/, '');
  const software = info.isFallbackAdapter === true || info.architecture === 'software' || text.some((s) => SOFTWARE.test(s));
  return { api: nativeApi(platform), name, software };
}

/** The native API Dawn uses by default on each platform (the one its prebuilt binding is built for). */
export function nativeApi(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Metal';
  if (platform === 'win32') return 'D3D12';
  return 'Vulkan';
}

/** "Dawn, Vulkan, llvmpipe: Mesa 25.0.7 (LLVM 15.0.6), software adapter": the backend line's detail. */
export function webgpuDetail(adapter: WebgpuAdapter): string {
  return `Dawn, ${adapter.api}, ${adapter.name}${adapter.software ? ', software adapter' : ''}`;
}

/** A reason webgpu cannot run here, with the fix the backend's error names. */
export class WebgpuUnavailable extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'WebgpuUnavailable';
  }
}

const VULKAN_FIX =
  'install the Vulkan loader and a Vulkan driver (Debian: `apt-get install libvulkan1 libglvnd0` and the GPU driver; on a machine without a GPU, lavapipe: `tools/webgpu/ensure-lavapipe.sh`)';

/** The one-line cause when Dawn gives no adapter: a missing loader or no Vulkan device. */
export function noAdapterCause(platform: NodeJS.Platform = process.platform, loader: boolean = platform !== 'linux' || hasVulkanLoader()): string {
  if (platform !== 'linux') return `Dawn found no ${nativeApi(platform)} adapter`;
  if (!loader) return 'no Vulkan loader (libvulkan.so.1 not found)';
  return 'Vulkan found no adapter (no GPU driver with a Vulkan ICD, and no lavapipe)';
}

/**
 * Dawn's options: DAWN_FLAGS (space-separated, e.g. "enable-dawn-features=allow_unsafe_apis" for
 * GPU timestamps under tf.profile), as ../shared/gpu-probe reads them.
 */
export function dawnFlags(env: Record<string, string | undefined> = process.env): string[] {
  return (env.DAWN_FLAGS ?? '').split(' ').filter(Boolean);
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<{ info: AdapterInfoLike } | null>;
}
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

let loaded: { gpu: GpuLike; adapter: WebgpuAdapter } | undefined;

/**
 * Loads Dawn once per process, makes it the process's navigator.gpu (tfjs-backend-webgpu
 * registers its backend only when navigator.gpu exists at import) and names the adapter it
 * gives. Throws one line saying what is missing.
 */
async function openDawn(): Promise<{ gpu: GpuLike; adapter: WebgpuAdapter }> {
  if (loaded) return loaded;
  const binding = dawnBinding();
  if (!binding.file) {
    if (!binding.installed) throw new WebgpuUnavailable('the optional package `webgpu` is not installed', 'run `pnpm install` (webgpu 0.6.2 is an optional dependency of @facemask/engine) or pick another backend');
    throw new WebgpuUnavailable(
      `the \`webgpu\` package has no prebuilt dawn.node for ${process.platform}-${process.arch}`,
      'run on linux-x64, linux-arm64, macOS or Windows (the platforms webgpu 0.6.2 ships a binding for) or pick another backend',
    );
  }
  // Before the binding queues its first tick: synchronous reads run those ticks themselves.
  installTickCapture();
  const pkg = 'webgpu';
  const dawn = (await import(pkg)) as DawnModule;
  const gpu = dawn.create(dawnFlags());
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new WebgpuUnavailable(noAdapterCause(), process.platform === 'linux' ? VULKAN_FIX : `update the GPU driver (${nativeApi(process.platform)})`);
  // GPUBufferUsage, GPUMapMode, … are globals in a browser; tfjs-backend-webgpu reads them so.
  Object.assign(globalThis, dawn.globals);
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  loaded = { gpu, adapter: describeAdapter(adapter.info) };
  return loaded;
}

/**
 * Makes webgpu the active tfjs backend and returns the backend line's detail. `auto` refuses a
 * software adapter: it is the CPU running GPU shaders, correct but far slower than the CPU
 * engines (README, "GPU (WebGPU)"), so it is used only when asked for by name (CI's
 * correctness suite on lavapipe).
 */
export async function loadWebgpu(opts: { auto?: boolean } = {}): Promise<string> {
  const { adapter } = await openDawn();
  if (opts.auto && adapter.software) {
    throw new Error(`only a software adapter (${adapter.name}): auto never picks it, ask for it with --backend webgpu`);
  }
  if (!tf.findBackendFactory('webgpu')) {
    // cpu first: tfjs-backend-webgpu hands small tensors to the cpu backend (WEBGPU_CPU_FORWARD).
    await import('@tensorflow/tfjs-backend-cpu');
    // A literal specifier (unlike the native packages'): it installs on every platform, and a
    // bundler (tools/webgpu/pack-bench.sh) must see it to bundle it with this copy of tfjs-core.
    const mod = await import('@tensorflow/tfjs-backend-webgpu');
    if (!tf.findBackendFactory('webgpu')) throw new Error('@tensorflow/tfjs-backend-webgpu loaded but registered no backend (navigator.gpu unset at import)');
    // dataSync/arraySync: the backend's own readSync needs OffscreenCanvas (see webgpu-sync-read.ts).
    patchReadSync(mod.WebGPUBackend.prototype);
  }
  registerWebgpuTrainingKernels();
  if (!(await tf.setBackend('webgpu'))) throw new Error("tf.setBackend('webgpu') failed (see the error printed above)");
  return webgpuDetail(adapter);
}
