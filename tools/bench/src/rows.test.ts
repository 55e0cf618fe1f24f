import { describe, expect, it } from 'vitest';
import type { Measurement } from './measure.ts';
import { bestOf, formatRow, installHint, ratioLines, summaryLines, threadEnv, type Row } from './rows.ts';

const m = (train: number, infer: number): Measurement => ({
  backend: 'tensorflow',
  arch: 'resnet18',
  size: 112,
  batch: 16,
  steps: 3,
  trainImagesPerSecond: train,
  inferImagesPerSecond: infer,
});

describe('bench rows', () => {
  it('keeps the best training and the best inference rate of the rounds, each on its own', () => {
    expect(bestOf([m(10, 90), m(12, 80), m(11, 95)])).toEqual({ train: 12, infer: 95 });
    expect(() => bestOf([])).toThrow(/no measurements/);
  });

  it('prints `backend arch size train-img/s infer-img/s` and the reason an engine is missing', () => {
    expect(formatRow({ engine: 'tensorflow', arch: 'resnet18', size: 112, train: 30.456, infer: 201.2 })).toBe(
      'tensorflow       resnet18   112         30.46        201.20',
    );
    expect(formatRow({ engine: 'pytorch', arch: 'resnet34', size: 224, error: 'No module named torch' })).toBe(
      'pytorch          resnet34   224   not available: No module named torch',
    );
  });

  it('states every tfjs row as a multiple of the PyTorch row of the same arch and size', () => {
    const rows: Row[] = [
      { engine: 'tensorflow', arch: 'resnet18', size: 112, train: 30, infer: 200 },
      { engine: 'wasm', arch: 'resnet18', size: 112, train: 3, infer: 25 },
      { engine: 'pytorch', arch: 'resnet18', size: 112, train: 50, infer: 160 },
      { engine: 'tensorflow', arch: 'resnet18', size: 224, train: 8, infer: 50 },
      { engine: 'pytorch', arch: 'resnet18', size: 224, error: 'not installed' },
    ];
    expect(ratioLines(rows)).toEqual([
      'tensorflow / pytorch  resnet18 112: train 0.60x, infer 1.25x',
      'wasm / pytorch  resnet18 112: train 0.06x, infer 0.16x',
    ]);
  });

  it('gives TensorFlow the thread count as intra-op threads with one inter-op thread, or leaves it alone', () => {
    expect(threadEnv(2)).toMatchObject({ TF_NUM_INTRAOP_THREADS: '2', TF_NUM_INTEROP_THREADS: '1' });
    expect(threadEnv(undefined)).not.toHaveProperty('TF_NUM_INTRAOP_THREADS');
  });

  it('names the fix for each engine that could not run', () => {
    expect(installHint('tensorflow-gpu')).toBe('pnpm native:install gpu');
    expect(installHint('webgpu')).toBe('a Vulkan driver and libvulkan1; README, "GPU (WebGPU)"');
    expect(installHint('wasm')).toBe('see the row above');
  });

  it('ends with the ratios, the engines that did not run with their fix, and the load', () => {
    const rows: Row[] = [
      { engine: 'tensorflow', arch: 'resnet18', size: 112, error: 'native addon not found' },
      { engine: 'wasm', arch: 'resnet18', size: 112, train: 3, infer: 25 },
      { engine: 'pytorch', arch: 'resnet18', size: 112, train: 50, infer: 160 },
      { engine: 'tensorflow', arch: 'resnet34', size: 112, error: 'native addon not found' },
    ];
    expect(summaryLines(rows, { before: 2.04, after: 3.96, cores: 2 })).toEqual([
      'summary',
      '  wasm / pytorch  resnet18 112: train 0.06x, infer 0.16x',
      '  tensorflow: not measured (pnpm native:install)',
      '  load average 2.0 before, 4.0 after, on 2 cores: compare rows of one run',
    ]);
  });
});
