import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cudaDirsMissing, engineIdentity, nativeLibrary } from './native-probe.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'native-probe-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('nativeLibrary', () => {
  it('names the TensorFlow library files a binding loads, with their sizes, and nothing else', async () => {
    const lib = join(dir, 'pkg', 'deps', 'lib');
    await mkdir(lib, { recursive: true });
    await writeFile(join(lib, 'libtensorflow.so.2.21.0'), 'x'.repeat(10));
    await writeFile(join(lib, 'libtensorflow_framework.so.2.21.0'), 'x'.repeat(4));
    await writeFile(join(lib, 'README'), 'not a library');
    expect(nativeLibrary(join(dir, 'pkg'))).toEqual(['libtensorflow.so.2.21.0 10', 'libtensorflow_framework.so.2.21.0 4']);
  });

  it('is null for a package without a linked library', async () => {
    await mkdir(join(dir, 'bare'), { recursive: true });
    expect(nativeLibrary(join(dir, 'bare'))).toBeNull();
  });
});

describe('engineIdentity', () => {
  it('names the engine and the versions of the packages that compute on it; the threads only on TensorFlow\'s library', () => {
    const wasm = engineIdentity('wasm', { TF_NUM_INTRAOP_THREADS: '3' });
    expect(wasm).toEqual({ name: 'wasm', packages: { '@tensorflow/tfjs-core': '4.22.0', '@tensorflow/tfjs-backend-wasm': '4.22.0' } });
    expect(engineIdentity('cpu').packages).toEqual({ '@tensorflow/tfjs-core': '4.22.0', '@tensorflow/tfjs-backend-cpu': '4.22.0' });
    const native = engineIdentity('tensorflow', { TF_NUM_INTRAOP_THREADS: '3' });
    expect(native.threads).toEqual({ intra: 3, inter: 'default' });
    expect(Object.keys(native.packages)).toEqual(['@tensorflow/tfjs-core', '@tensorflow/tfjs-node']);
    expect(native).toHaveProperty('library');
  });
});

describe('cudaDirsMissing', () => {
  // A package whose deps/lib links to a library folder as native:install gpu leaves it after the wheel route.
  async function gpuInstall(name: string, cuda: unknown) {
    const folder = join(dir, name, 'cache', 'lib', 'gpu-wheel-2.21.0');
    await mkdir(join(folder, 'lib'), { recursive: true });
    await writeFile(join(folder, 'lib', 'libtensorflow_cc.so.2'), 'main');
    await writeFile(join(folder, 'library.json'), JSON.stringify({ source: 'wheel', variant: 'gpu', cuda }));
    for (const d of ['cuda/cublas/lib', 'cuda/cudnn/lib']) await mkdir(join(folder, d), { recursive: true });
    const pkg = join(dir, name, 'pkg');
    await mkdir(join(pkg, 'deps', 'lib'), { recursive: true });
    await symlink(join(folder, 'lib', 'libtensorflow_cc.so.2'), join(pkg, 'deps', 'lib', 'libtensorflow.so'));
    return { pkg, folder };
  }

  it('names the recorded CUDA folders LD_LIBRARY_PATH lacks, none once they are on it', async () => {
    const { pkg, folder } = await gpuInstall('cuda', [
      { requirement: 'nvidia-cublas-cu12<13.0,>=12.5.3.2', wheel: 'w1', libDirs: ['cuda/cublas/lib'] },
      { requirement: 'nvidia-cudnn-cu12<10.0,>=9.3.0.75', wheel: 'w2', libDirs: ['cuda/cudnn/lib'] },
    ]);
    const cublas = join(folder, 'cuda', 'cublas', 'lib');
    const cudnn = join(folder, 'cuda', 'cudnn', 'lib');
    expect(cudaDirsMissing(pkg, {})).toEqual([cublas, cudnn]);
    expect(cudaDirsMissing(pkg, { LD_LIBRARY_PATH: `/usr/local/cuda/lib64:${cudnn}/` })).toEqual([cublas]);
    expect(cudaDirsMissing(pkg, { LD_LIBRARY_PATH: `${cudnn}:${cublas}` })).toEqual([]);
  });

  it('is null where the library records no CUDA wheels, or there is no linked library', async () => {
    const { pkg } = await gpuInstall('no-cuda', undefined);
    expect(cudaDirsMissing(pkg, {})).toBeNull();
    expect(cudaDirsMissing(join(dir, 'nowhere'), {})).toBeNull();
  });
});
