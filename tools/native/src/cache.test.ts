import { describe, expect, it } from 'vitest';
import { bindingKey, cacheRoot, libraryDir, type BindingKeyInput } from './cache.ts';

describe('cacheRoot', () => {
  it('FACEMASK_NATIVE_CACHE, else XDG_CACHE_HOME/facemask/native, else ~/.cache/facemask/native', () => {
    expect(cacheRoot({ FACEMASK_NATIVE_CACHE: '/c', XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/c');
    expect(cacheRoot({ XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/x/facemask/native');
    expect(cacheRoot({ XDG_CACHE_HOME: '' }, '/home/u')).toBe('/home/u/.cache/facemask/native');
  });

  it('one library folder per variant, source and version', () => {
    expect(libraryDir('/c', 'cpu', 'wheel', '2.21.0')).toBe('/c/lib/cpu-wheel-2.21.0');
    expect(libraryDir('/c', 'gpu', 'download', '2.9.1')).toBe('/c/lib/gpu-download-2.9.1');
  });
});

describe('bindingKey', () => {
  const base: BindingKeyInput = {
    package: '@tensorflow/tfjs-node@4.22.0',
    napiBuildVersion: 8,
    nodeAbi: '115',
    platform: 'linux',
    arch: 'x64',
    library: {
      main: { path: '/c/lib/cpu-wheel-2.21.0/lib/libtensorflow_cc.so.2', size: 788086608, mtimeMs: 1.5e12 },
      framework: { path: '/c/lib/cpu-wheel-2.21.0/lib/libtensorflow_framework.so.2', size: 65222328, mtimeMs: 1.5e12 },
    },
  };

  it('is stable for the same inputs', () => {
    expect(bindingKey(base)).toBe(bindingKey(structuredClone(base)));
    expect(bindingKey(base)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes with the package, the ABI, the platform and the library files', () => {
    const variants: BindingKeyInput[] = [
      { ...base, package: '@tensorflow/tfjs-node-gpu@4.22.0' },
      { ...base, napiBuildVersion: 7 },
      { ...base, nodeAbi: '127' },
      { ...base, arch: 'arm64' },
      { ...base, library: { ...base.library, main: { ...base.library.main, size: 1 } } },
      { ...base, library: { ...base.library, framework: { ...base.library.framework, mtimeMs: 2e12 } } },
      { ...base, library: { ...base.library, main: { ...base.library.main, path: '/opt/tf/libtensorflow_cc.so.2' } } },
    ];
    const keys = new Set([base, ...variants].map(bindingKey));
    expect(keys.size).toBe(variants.length + 1);
  });
});
