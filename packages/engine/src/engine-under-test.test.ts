import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { backendsUnderTest, engineName, engineUnderTest, useBackendUnderTest } from './engine-under-test.ts';

describe('engineUnderTest', () => {
  it('TFJS_BACKEND names the engine; unset it is wasm', () => {
    expect(engineName({})).toBe('wasm');
    expect(engineName({ TFJS_BACKEND: ' ' })).toBe('wasm');
    expect(engineName({ TFJS_BACKEND: 'Tensorflow' })).toBe('tensorflow');
    expect(engineName({ TFJS_BACKEND: 'WebGPU' })).toBe('webgpu');
    expect(() => engineName({ TFJS_BACKEND: 'webgl' })).toThrow(/Unknown tfjs backend "webgl" \(from TFJS_BACKEND\)/);
  });

  it('activates that engine, or fails naming it', async () => {
    expect(await engineUnderTest({ TFJS_BACKEND: 'cpu' })).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const name = await engineUnderTest();
    expect(tf.getBackend()).toBe(name === 'tensorflow-gpu' ? 'tensorflow' : name);
    const failing = await engineUnderTest({ TFJS_BACKEND: 'tensorflow-gpu' }).catch((e: Error) => e);
    // tfjs-node-gpu cannot load here: it lacks its addon, or tfjs-node already holds this process.
    if (failing instanceof Error) expect(failing.message).toMatch(/tfjs backend "tensorflow-gpu" \(requested by TFJS_BACKEND\) cannot be used/);
  });
});

describe('backendsUnderTest', () => {
  it('cpu beside the engine, once', () => {
    expect(backendsUnderTest({})).toEqual(['cpu', 'wasm']);
    expect(backendsUnderTest({ TFJS_BACKEND: 'tensorflow' })).toEqual(['cpu', 'tensorflow']);
    expect(backendsUnderTest({ TFJS_BACKEND: 'webgpu' })).toEqual(['cpu', 'webgpu']);
    expect(backendsUnderTest({ TFJS_BACKEND: 'cpu' })).toEqual(['cpu']);
  });

  it('switches between them', async () => {
    for (const name of backendsUnderTest()) {
      await useBackendUnderTest(name);
      expect(tf.getBackend()).toBe(name === 'tensorflow-gpu' ? 'tensorflow' : name);
    }
  });
});
