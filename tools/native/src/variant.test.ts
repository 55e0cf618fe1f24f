import { describe, expect, it } from 'vitest';
import { checkPlatform, packageName, parseVariant, wheelProject } from './variant.ts';

describe('variants', () => {
  it('cpu builds tfjs-node from tensorflow-cpu, gpu builds tfjs-node-gpu from tensorflow', () => {
    expect([packageName('cpu'), wheelProject('cpu')]).toEqual(['@tensorflow/tfjs-node', 'tensorflow-cpu']);
    expect([packageName('gpu'), wheelProject('gpu')]).toEqual(['@tensorflow/tfjs-node-gpu', 'tensorflow']);
  });

  it('parses the argument, defaulting to cpu', () => {
    expect(parseVariant(undefined)).toBe('cpu');
    expect(parseVariant(' GPU ')).toBe('gpu');
    expect(() => parseVariant('cuda')).toThrow(/^unknown variant "cuda": use `pnpm native:install cpu` or `pnpm native:install gpu`$/);
  });

  it('anything but linux-x64 is an unsupported platform, in one line', () => {
    expect(() => checkPlatform('linux', 'x64')).not.toThrow();
    for (const [p, a] of [['darwin', 'arm64'], ['win32', 'x64'], ['linux', 'arm64']] as const) {
      expect(() => checkPlatform(p, a)).toThrow(new RegExp(`^unsupported platform ${p}-${a}: .*runs on wasm here$`));
    }
  });
});
