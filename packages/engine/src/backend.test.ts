import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  chooseBackend,
  currentBackend,
  defaultLoaders,
  describeLoadError,
  expectedBackend,
  nativeDetail,
  nativeEnvDefaults,
  resolveBackendPreference,
  selectBackend,
  type BackendLoader,
  type BackendName,
} from './backend.ts';
import { autoEngine } from './native-probe.ts';
import { WASM_TRAINING_KERNELS } from './wasm-kernels/index.ts';

const ADDON_MISSING =
  'The Node.js native addon module (tfjs_binding.node) can not be found at path: /x/lib/napi-v8/tfjs_binding.node. \nPlease run command ...';

/** Fake loaders that record the order they were tried in; `ok` lists the ones that load. */
function fakes(ok: BackendName[], detail: Partial<Record<BackendName, string>> = {}) {
  const tried: BackendName[] = [];
  const make = (name: BackendName): BackendLoader => async () => {
    tried.push(name);
    if (!ok.includes(name)) throw new Error(name.startsWith('tensorflow') ? ADDON_MISSING : `${name} failed`);
    return detail[name];
  };
  const loaders = {
    'tensorflow-gpu': make('tensorflow-gpu'),
    webgpu: make('webgpu'),
    tensorflow: make('tensorflow'),
    wasm: make('wasm'),
    cpu: make('cpu'),
  };
  return { loaders, tried };
}

describe('chooseBackend (injected loaders)', () => {
  it('auto takes the fastest that loads and says why the faster ones were skipped', async () => {
    const { loaders, tried } = fakes(['wasm', 'cpu'], { wasm: 'simd, 1 thread' });
    const choice = await chooseBackend({ loaders, env: {} });
    expect(choice).toEqual({
      name: 'wasm',
      reason: 'simd, 1 thread; tfjs-node-gpu: native addon not found; webgpu: webgpu failed; tfjs-node: native addon not found',
    });
    expect(tried).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm']);
  });

  it('auto stops at tfjs-node-gpu when it loads, and falls to cpu when wasm fails too', async () => {
    const gpu = fakes(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
    expect(await chooseBackend({ loaders: gpu.loaders, env: {} })).toEqual({ name: 'tensorflow-gpu', reason: 'fastest available' });
    expect(gpu.tried).toEqual(['tensorflow-gpu']);

    const cpu = fakes(['cpu']);
    const choice = await chooseBackend({ loaders: cpu.loaders, env: {} });
    expect(choice.name).toBe('cpu');
    expect(choice.reason).toBe('tfjs-node-gpu: native addon not found; webgpu: webgpu failed; tfjs-node: native addon not found; wasm: wasm failed');
  });

  it('auto takes webgpu on a hardware adapter when tfjs-node-gpu is missing, and skips a software one', async () => {
    const hw = fakes(['webgpu', 'tensorflow', 'wasm', 'cpu'], { webgpu: 'Dawn, Vulkan, NVIDIA H200' });
    expect(await chooseBackend({ loaders: hw.loaders, env: {} })).toEqual({
      name: 'webgpu',
      reason: 'Dawn, Vulkan, NVIDIA H200; tfjs-node-gpu: native addon not found',
    });
    expect(hw.tried).toEqual(['tensorflow-gpu', 'webgpu']);

    // A software adapter loads when asked for by name and is refused when auto asks (as loadWebgpu does).
    const calls: Array<{ auto?: boolean } | undefined> = [];
    const software: BackendLoader = async (opts) => {
      calls.push(opts);
      if (opts?.auto) throw new Error('only a software adapter (llvmpipe): auto never picks it, ask for it with --backend webgpu');
      return 'Dawn, Vulkan, llvmpipe, software adapter';
    };
    const sw = fakes(['tensorflow', 'wasm', 'cpu']);
    const auto = await chooseBackend({ loaders: { ...sw.loaders, webgpu: software }, env: {} });
    expect(auto.name).toBe('tensorflow');
    expect(auto.reason).toBe('tfjs-node-gpu: native addon not found; webgpu: only a software adapter (llvmpipe): auto never picks it, ask for it with --backend webgpu');
    expect(await chooseBackend({ loaders: { ...sw.loaders, webgpu: software }, env: { TFJS_BACKEND: 'webgpu' } })).toEqual({
      name: 'webgpu',
      reason: 'Dawn, Vulkan, llvmpipe, software adapter; requested by TFJS_BACKEND',
    });
    expect(calls).toEqual([{ auto: true }, undefined]);
  });

  it('a loader that knows its fix names it instead of the engine usual one', async () => {
    const noVulkan: BackendLoader = async () => {
      throw Object.assign(new Error('no Vulkan loader (libvulkan.so.1 not found)'), { fix: 'install libvulkan1' });
    };
    await expect(chooseBackend({ prefer: 'webgpu', env: {}, loaders: { webgpu: noVulkan } })).rejects.toThrow(
      'tfjs backend "webgpu" (requested by --backend) cannot be used: webgpu: no Vulkan loader (libvulkan.so.1 not found). Fix: install libvulkan1, or leave --backend unset to pick the fastest available one.',
    );
    const plain: BackendLoader = async () => {
      throw new Error('dawn.node: bad ELF');
    };
    await expect(chooseBackend({ prefer: 'webgpu', env: {}, loaders: { webgpu: plain } })).rejects.toThrow(/Fix: reinstall the optional packages webgpu 0\.6\.2/);
  });

  it('fails with every reason when nothing loads', async () => {
    const { loaders } = fakes([]);
    await expect(chooseBackend({ loaders, env: {} })).rejects.toThrow(/No tfjs backend could be loaded \(tfjs-node-gpu: native addon not found;.*cpu: cpu failed\)/);
  });

  it('--backend wins over TFJS_BACKEND, which wins over auto', async () => {
    const a = fakes(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
    expect(await chooseBackend({ prefer: 'cpu', env: { TFJS_BACKEND: 'wasm' }, loaders: a.loaders })).toEqual({
      name: 'cpu',
      reason: 'requested by --backend',
    });
    expect(a.tried).toEqual(['cpu']);

    const b = fakes(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'], { wasm: 'simd, 1 thread' });
    expect(await chooseBackend({ env: { TFJS_BACKEND: 'WASM' }, loaders: b.loaders })).toEqual({
      name: 'wasm',
      reason: 'simd, 1 thread; requested by TFJS_BACKEND',
    });
    expect(b.tried).toEqual(['wasm']);

    expect(resolveBackendPreference(undefined, { TFJS_BACKEND: ' ' })).toEqual({ preference: 'auto', source: 'auto' });
    // The config's default 'auto' passed through as --backend does not hide TFJS_BACKEND.
    expect(resolveBackendPreference('auto', { TFJS_BACKEND: 'cpu' })).toEqual({ preference: 'cpu', source: 'TFJS_BACKEND' });
    expect(resolveBackendPreference('auto', {})).toEqual({ preference: 'auto', source: 'auto' });
  });

  it('ranks --backend over TFJS_BACKEND over the config, and says which one decided', async () => {
    expect(resolveBackendPreference('cpu', { TFJS_BACKEND: 'wasm' }, 'tensorflow')).toEqual({ preference: 'cpu', source: '--backend' });
    expect(resolveBackendPreference(undefined, { TFJS_BACKEND: 'cpu' }, 'wasm')).toEqual({ preference: 'cpu', source: 'TFJS_BACKEND' });
    expect(resolveBackendPreference(undefined, {}, 'wasm')).toEqual({ preference: 'wasm', source: 'the config (backend)' });
    expect(resolveBackendPreference('auto', { TFJS_BACKEND: 'auto' }, 'auto')).toEqual({ preference: 'auto', source: 'auto' });
    expect(() => resolveBackendPreference(undefined, {}, 'tpu')).toThrow(/Unknown tfjs backend "tpu" \(from the config \(backend\)\)/);
    const { loaders } = fakes(['wasm', 'cpu']);
    expect(await chooseBackend({ prefer: 'cpu', configured: 'wasm', env: {}, loaders })).toEqual({ name: 'cpu', reason: 'requested by --backend' });
    expect(await chooseBackend({ configured: 'wasm', env: { TFJS_BACKEND: 'cpu' }, loaders })).toEqual({ name: 'cpu', reason: 'requested by TFJS_BACKEND' });
    expect(await chooseBackend({ configured: 'wasm', env: {}, loaders })).toEqual({ name: 'wasm', reason: 'requested by the config (backend)' });
  });

  it("expects, without loading one, the backend asked for, else auto's pick from the files", () => {
    expect(expectedBackend('cpu', { TFJS_BACKEND: 'wasm' }, 'tensorflow')).toBe('cpu');
    expect(expectedBackend(undefined, { TFJS_BACKEND: 'wasm' }, 'cpu')).toBe('wasm');
    expect(expectedBackend(undefined, {}, 'cpu')).toBe('cpu');
    expect(expectedBackend('auto', {}, 'auto')).toBe(autoEngine());
  });

  it('an explicit backend that cannot load is an error, never a silent fallback', async () => {
    const { loaders, tried } = fakes(['wasm', 'cpu']);
    const err = await chooseBackend({ prefer: 'tensorflow-gpu', env: {}, loaders }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /tfjs backend "tensorflow-gpu" \(requested by --backend\) cannot be used: tfjs-node-gpu: native addon not found\. Fix: run `pnpm native:install gpu`/,
    );
    expect(tried).toEqual(['tensorflow-gpu']);
    await expect(chooseBackend({ env: { TFJS_BACKEND: 'tensorflow' }, loaders })).rejects.toThrow(/requested by TFJS_BACKEND/);
  });

  it('rejects unknown names, listing the valid ones and where the bad name came from', async () => {
    const { loaders, tried } = fakes(['cpu']);
    await expect(chooseBackend({ prefer: 'webgl', env: {}, loaders })).rejects.toThrow(
      'Unknown tfjs backend "webgl" (from --backend). Valid: auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu.',
    );
    await expect(chooseBackend({ env: { TFJS_BACKEND: 'gpu' }, loaders })).rejects.toThrow(/"gpu" \(from TFJS_BACKEND\)\. Valid: auto,/);
    expect(tried).toEqual([]);
  });

  it('condenses load errors to one line', async () => {
    const real = await defaultLoaders()
      .tensorflow()
      .then(
        () => null,
        (e: unknown) => e,
      );
    // Installed without its addon here; on a machine with the addon the import succeeds.
    if (real !== null) expect(describeLoadError(real)).toBe('native addon not found');
    const notInstalled = await import('./no-such-module-here.ts' as string).catch((e: unknown) => e);
    expect(describeLoadError(notInstalled)).toBe('not installed');
    expect(describeLoadError(new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory'))).toBe(
      'cannot load libcudart.so.11.0 (CUDA/TensorFlow shared library missing)',
    );
    expect(describeLoadError(new Error(`first line ${'x'.repeat(300)}\nsecond`))).toMatch(/^first line x+\.\.\.$/);
  });
});

describe('native backend line', () => {
  it('names the package, the TensorFlow library, the device and the threads', () => {
    expect(nativeDetail({ label: 'tfjs-node', tfjsNode: '4.22.0', tensorflow: '2.21.0', threads: 2 })).toBe('tfjs-node 4.22.0 on TensorFlow 2.21.0, 2 threads');
    expect(nativeDetail({ label: 'tfjs-node-gpu', tfjsNode: '4.22.0', tensorflow: '2.9.1', gpu: true, threads: 1 })).toBe(
      'tfjs-node-gpu 4.22.0 on TensorFlow 2.9.1, GPU, 1 thread',
    );
    expect(nativeDetail({ label: 'tfjs-node-gpu', gpu: false, threads: 8 })).toBe('tfjs-node-gpu, no GPU found: runs on the CPU, 8 threads');
    expect(nativeDetail({ label: 'tfjs-node-gpu', gpu: false, cudaHint: 'its CUDA libraries are not on the loader\'s path: run `x`', threads: 8 })).toBe(
      "tfjs-node-gpu, no GPU found: runs on the CPU (its CUDA libraries are not on the loader's path: run `x`), 8 threads",
    );
  });

  it('quiet TensorFlow log and one intra-op thread per core, unless the user set them', () => {
    expect(nativeEnvDefaults(6)).toEqual({ TF_CPP_MIN_LOG_LEVEL: '2', TF_NUM_INTRAOP_THREADS: '6' });
  });
});

describe('selectBackend (real loaders, this process)', () => {
  // After a plain `pnpm install` both tfjs-node packages lack their native addon, so auto lands on
  // wasm; after `pnpm native:install` (cpu) it lands on tensorflow; on a machine with a GPU's
  // Vulkan driver, on webgpu. webgpu's reason for being skipped depends on the machine (no Vulkan
  // loader, no adapter, or lavapipe's software adapter), so it is matched loosely.
  let first: { name: BackendName; reason: string };

  it('chooses once, prints once, and leaves no half-loaded native kernels behind', async () => {
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    expect(currentBackend()).toBeNull();
    first = await selectBackend({ env: {}, log });
    expect(lines).toEqual([`backend: ${first.name} (${first.reason})`]);
    if (first.name === 'tensorflow') {
      // After `pnpm native:install`: the engine names its package and library.
      // (tfjs-node-gpu is not even imported once tfjs-node is loaded: one TensorFlow per process.)
      expect(first.reason).toMatch(
        /^tfjs-node 4\.22\.0 on TensorFlow \d+\.\d+\.\d+, \d+ threads?; tfjs-node-gpu: (native addon not found|@tensorflow\/tfjs-node is already loaded in this process); webgpu: [^;]+$/,
      );
      expect(tf.getBackend()).toBe('tensorflow');
      await expect(defaultLoaders()['tensorflow-gpu']()).rejects.toThrow('@tensorflow/tfjs-node is already loaded in this process');
      expect(tf.getBackend()).toBe('tensorflow');
    }
    if (first.name === 'wasm') {
      expect(first.reason).toMatch(/^(no )?simd, 1 thread; tfjs-node-gpu: native addon not found; webgpu: [^;]+; tfjs-node: native addon not found$/);
      expect(tf.getBackend()).toBe('wasm');
      for (const k of WASM_TRAINING_KERNELS) expect(tf.getKernel(k, 'wasm'), k).toBeDefined();
      expect(tf.getKernelsForBackend('tensorflow')).toEqual([]);
    }
    if (first.name === 'webgpu') {
      expect(first.reason).toMatch(/^Dawn, (Vulkan|Metal|D3D12), [^;]+; tfjs-node-gpu: native addon not found$/);
      expect(first.reason).not.toMatch(/software adapter/);
      expect(tf.getBackend()).toBe('webgpu');
    }
    expect(await selectBackend({ env: {}, log })).toBe(first);
    expect(await selectBackend({ env: {}, prefer: first.name, log })).toBe(first);
    expect(lines).toHaveLength(1);
    expect(currentBackend()).toBe(first);
  });

  it('refuses to switch to another explicit backend unless forced', async () => {
    const lines: string[] = [];
    await expect(selectBackend({ env: {}, prefer: 'cpu', log: (l) => lines.push(l) })).rejects.toThrow(
      new RegExp(`already "${first.name}" in this process .*cannot switch to "cpu"`),
    );
    const cpu = await selectBackend({ env: {}, prefer: 'cpu', force: true, log: (l) => lines.push(l) });
    expect(cpu).toEqual({ name: 'cpu', reason: 'requested by --backend' });
    expect(tf.getBackend()).toBe('cpu');
    expect(lines).toEqual(['backend: cpu (requested by --backend)']);
    await selectBackend({ env: {}, prefer: first.name, force: true, log: () => {} });
    expect(currentBackend()?.name).toBe(first.name);
  });

  it('puts the chosen backend back if something switched tfjs away', async () => {
    await tf.setBackend('cpu');
    const again = await selectBackend({ env: {}, log: () => {} });
    expect(again.name).toBe(first.name);
    expect(tf.getBackend()).toBe(first.name === 'tensorflow-gpu' ? 'tensorflow' : first.name);
  });
});
