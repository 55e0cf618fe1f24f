import { describe, expect, it } from 'vitest';
import { chunk, classWeights, planEpoch } from './sampler.ts';

const classes = Array.from({ length: 103 }, (_, i) => (i < 80 ? 0 : i < 100 ? 1 : 2));

describe('planEpoch', () => {
  it('visits every sample once per epoch in uniform mode, in a seed- and epoch-determined order', () => {
    const a = planEpoch(classes, { seed: 1, epoch: 0, batchSize: 10, sampler: 'uniform' });
    expect(a.flat().sort((x, y) => x - y)).toEqual(classes.map((_, i) => i));
    expect(a).toHaveLength(11);
    expect(planEpoch(classes, { seed: 1, epoch: 0, batchSize: 10, sampler: 'uniform' })).toEqual(a);
    expect(planEpoch(classes, { seed: 1, epoch: 1, batchSize: 10, sampler: 'uniform' })).not.toEqual(a);
    expect(planEpoch(classes, { seed: 2, epoch: 0, batchSize: 10, sampler: 'uniform' })).not.toEqual(a);
  });

  it('drops a short last batch when asked', () => {
    const b = planEpoch(classes, { seed: 1, epoch: 0, batchSize: 10, sampler: 'uniform', dropLast: true });
    expect(b).toHaveLength(10);
    expect(b.every((x) => x.length === 10)).toBe(true);
  });

  it('draws classes about uniformly in balanced mode', () => {
    const flat = planEpoch(classes, { seed: 3, epoch: 0, batchSize: 8, sampler: 'balanced' }).flat();
    expect(flat).toHaveLength(classes.length);
    const share = [0, 1, 2].map((c) => flat.filter((i) => classes[i] === c).length / flat.length);
    for (const s of share) expect(Math.abs(s - 1 / 3)).toBeLessThan(0.12);
  });

  it('refuses an empty training set', () => {
    expect(() => planEpoch([], { seed: 1, epoch: 0, batchSize: 4, sampler: 'uniform' })).toThrow(/no training samples/);
  });
});

describe('chunk and classWeights', () => {
  it('chunks and validates the size', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(() => chunk([1], 0)).toThrow(/batch size/);
  });

  it('weights rare classes up and absent ones to zero', () => {
    const w = classWeights(classes, 4);
    expect(w[3]).toBe(0);
    expect(w[2]!).toBeGreaterThan(w[1]!);
    expect(w[1]!).toBeGreaterThan(w[0]!);
    // mean over present classes is 1
    expect((w[0]! + w[1]! + w[2]!) / 3).toBeCloseTo(1, 10);
  });
});
