import { describe, expect, it } from 'vitest';
import { planBatch } from './plan.ts';
import { describeTransforms } from './spec.ts';

const input = { n: 8, inHeight: 64, inWidth: 48, outHeight: 32, outWidth: 32, seed: 3, epoch: 1, batchIndex: 4 };

describe('planBatch', () => {
  it('is a function of (seed, epoch, batchIndex)', () => {
    const specs = describeTransforms([{ type: 'randomResizedCrop' }, { type: 'hflip' }, { type: 'colorJitter' }, { type: 'cutmix', p: 1 }]);
    expect(planBatch(specs, input)).toEqual(planBatch(specs, input));
    expect(planBatch(specs, { ...input, batchIndex: 5 })).not.toEqual(planBatch(specs, input));
    expect(planBatch(specs, { ...input, seed: 4 })).not.toEqual(planBatch(specs, input));
  });

  it('keeps one transform\'s draws when another is added', () => {
    const a = planBatch(describeTransforms([{ type: 'hflip' }]), input);
    const b = planBatch(describeTransforms([{ type: 'hflip' }, { type: 'randomErasing', p: 1 }, { type: 'mixup', p: 1 }]), input);
    expect(b.samples.map((s) => s.flip)).toEqual(a.samples.map((s) => s.flip));
    expect(b.samples.every((s) => s.erase !== null)).toBe(true);
  });

  it('applies at most one mixer per batch, trying mixup first', () => {
    const both = describeTransforms([{ type: 'cutmix', p: 1 }, { type: 'mixup', p: 1 }]);
    expect(planBatch(both, input).mix?.kind).toBe('mixup');
    const p = planBatch(describeTransforms([{ type: 'cutmix', p: 1, mode: 'vertical-half' }, { type: 'mixup', p: 0 }]), input).mix;
    expect(p).toMatchObject({ kind: 'cutmix', rect: { top: 0, left: 16, height: 32, width: 16 }, share: 0.5 });
    expect([...p!.perm].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('respects p: 0 never fires, 1 always does', () => {
    const never = planBatch(describeTransforms([{ type: 'hflip', p: 0 }, { type: 'randomResizedCrop', p: 0 }, { type: 'gaussianNoise', p: 0 }]), input);
    expect(never.samples.every((s) => !s.flip && s.crop === null && !s.noise)).toBe(true);
    const always = planBatch(describeTransforms([{ type: 'hflip', p: 1 }, { type: 'randomResizedCrop', p: 1 }, { type: 'colorJitter', p: 1 }]), input);
    expect(always.samples.every((s) => s.flip && s.crop !== null && s.jitter !== null)).toBe(true);
    expect([...always.jitterOrder].sort()).toEqual(['brightness', 'contrast', 'saturation']);
    expect(always.samples.every((s) => s.jitter!.hue === 0)).toBe(true);
  });

  it('draws a hue shift in [-hue, hue] only when asked, leaving other configs\' draws unchanged', () => {
    const plain = planBatch(describeTransforms([{ type: 'colorJitter', p: 1 }]), input);
    const withHue = planBatch(describeTransforms([{ type: 'colorJitter', p: 1, hue: 0.1 }]), input);
    expect([...withHue.jitterOrder].sort()).toEqual(['brightness', 'contrast', 'hue', 'saturation']);
    const shifts = withHue.samples.map((s) => s.jitter!.hue);
    expect(shifts.every((h) => h >= -0.1 && h <= 0.1)).toBe(true);
    expect(new Set(shifts).size).toBe(shifts.length);
    expect(planBatch(describeTransforms([{ type: 'colorJitter', p: 1, hue: 0 }]), input)).toEqual(plain);
  });
});
