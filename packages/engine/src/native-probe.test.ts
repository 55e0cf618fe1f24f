import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineIdentity, nativeLibrary } from './native-probe.ts';

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
