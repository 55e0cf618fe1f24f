import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { engineName } from './engine-under-test.ts';
import { selectBackend } from './backend.ts';
import { dawnBinding, hasVulkanLoader, webgpuLikely } from './native-probe.ts';
import { dawnFlags, describeAdapter, noAdapterCause, webgpuDetail } from './webgpu.ts';

describe('webgpu adapter description', () => {
  it('names lavapipe as a software adapter, by its flag, its architecture or its name', () => {
    // What Dawn reports for bookworm-backports' lavapipe (measured).
    const lavapipe = {
      vendor: 'mesa',
      architecture: 'software',
      device: 'llvmpipe-llvm-15-0-6-256-bits-',
      description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1',
      isFallbackAdapter: true,
    };
    const a = describeAdapter(lavapipe, 'linux');
    expect(a).toEqual({ api: 'Vulkan', name: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6)', software: true });
    expect(webgpuDetail(a)).toBe('Dawn, Vulkan, llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6), software adapter');
    expect(describeAdapter({ description: 'SwiftShader Device (Subzero)' }, 'linux').software).toBe(true);
    expect(describeAdapter({ vendor: 'mesa', architecture: 'software' }, 'linux').software).toBe(true);
  });

  it('names a hardware adapter by its description, else its device or vendor', () => {
    const h200 = describeAdapter({ vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200', isFallbackAdapter: false }, 'linux');
    expect(h200).toEqual({ api: 'Vulkan', name: 'NVIDIA H200', software: false });
    expect(webgpuDetail(h200)).toBe('Dawn, Vulkan, NVIDIA H200');
    expect(describeAdapter({ vendor: 'apple', device: 'Apple M2' }, 'darwin')).toEqual({ api: 'Metal', name: 'Apple M2', software: false });
    expect(describeAdapter({}, 'win32')).toEqual({ api: 'D3D12', name: 'unnamed adapter', software: false });
  });

  it('says whether the loader or the adapter is missing', () => {
    expect(noAdapterCause('linux', false)).toBe('no Vulkan loader (libvulkan.so.1 not found)');
    expect(noAdapterCause('linux', true)).toBe('Vulkan found no adapter (no GPU driver with a Vulkan ICD, and no lavapipe)');
    expect(noAdapterCause('darwin')).toBe('Dawn found no Metal adapter');
    expect(hasVulkanLoader({ LD_LIBRARY_PATH: '/nowhere' })).toBe(hasVulkanLoader({}));
  });

  it('reads Dawn toggles from DAWN_FLAGS', () => {
    expect(dawnFlags({ DAWN_FLAGS: ' enable-dawn-features=allow_unsafe_apis  backend=vulkan ' })).toEqual([
      'enable-dawn-features=allow_unsafe_apis',
      'backend=vulkan',
    ]);
    expect(dawnFlags({})).toEqual([]);
  });

  it('finds the prebuilt binding of this platform (webgpu is installed with the workspace)', () => {
    const b = dawnBinding();
    expect(b.installed).toBe(true);
    if (['linux-x64', 'linux-arm64', 'darwin-arm64', 'darwin-x64', 'win32-x64'].includes(`${process.platform}-${process.arch}`)) {
      expect(b.file).toMatch(/dawn\.node$/);
    }
    expect(dawnBinding('aix', 'ppc64')).toEqual({ installed: true, file: null });
    expect(webgpuLikely('aix')).toBe(false);
  });
});

// The real engine: only where it is the engine under test (CI's lavapipe step), since loading it
// elsewhere would need a Vulkan device this suite does not require.
describe.runIf(engineName() === 'webgpu')('webgpu engine (TFJS_BACKEND=webgpu)', () => {
  it('loads when asked by name, names its adapter, and trains a conv without leaking', async () => {
    const lines: string[] = [];
    const choice = await selectBackend({ prefer: 'webgpu', force: true, log: (l) => lines.push(l) });
    expect(choice.name).toBe('webgpu');
    expect(choice.reason).toMatch(/^Dawn, (Vulkan|Metal|D3D12), [^;]+; requested by --backend$/);
    expect(tf.getBackend()).toBe('webgpu');
    const before = tf.memory().numTensors;
    const [dx, dw] = tf.tidy(() => {
      const x = tf.tensor4d(Array.from({ length: 2 * 8 * 8 * 3 }, (_, i) => Math.sin(i * 0.37)), [2, 8, 8, 3]);
      const w = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i * 0.11) * 0.1), [3, 3, 3, 4]);
      return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mean(tf.square(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))))([x, w]);
    });
    expect(dx!.shape).toEqual([2, 8, 8, 3]);
    expect(dw!.shape).toEqual([3, 3, 3, 4]);
    expect(Array.from(await dw!.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([dx!, dw!]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reads synchronously (dataSync, arraySync) what the GPU computed, as the async read does', async () => {
    await selectBackend({ prefer: 'webgpu', force: true, log: () => {} });
    const make = () => tf.tidy(() => tf.add(tf.matMul(tf.reshape(tf.range(0, 4096, 1, 'float32'), [64, 64]), tf.eye(64)), 0.5));
    const a = make();
    const b = make();
    const c = tf.tidy(() => tf.cast(tf.greater(make(), 100), 'int32'));
    // Still on the GPU (no CPU copy yet), so dataSync takes the map-and-pump path.
    const onCpu = (t: tf.Tensor) => (tf.backend() as unknown as { tensorMap: { get(id: object): { values: unknown } } }).tensorMap.get(t.dataId).values;
    expect(onCpu(a) ?? null).toBeNull();
    expect(onCpu(c) ?? null).toBeNull();
    const sync = a.dataSync();
    expect(sync).toBeInstanceOf(Float32Array);
    expect(Array.from(sync)).toEqual(Array.from(await b.data()));
    expect(sync[4095]).toBe(4095.5);
    expect(Array.from(c.dataSync()).reduce((x, y) => x + y, 0)).toBe(4096 - 100);
    expect((a.arraySync() as number[][])[1]![2]).toBe(66.5);
    tf.dispose([a, b, c]);
  });
});
