import { describe, expect, it } from 'vitest';
import { describeAugmentation, describeTransforms, augmentDescriptionSchema } from './spec.ts';

describe('describeTransforms', () => {
  it('fills defaults from the config schema and sorts into application order', () => {
    const r = describeTransforms([{ type: 'cutmix', mode: 'vertical-half' }, { type: 'hflip' }, { type: 'randomErasing' }, { type: 'randomResizedCrop' }]);
    expect(r.map((s) => s.type)).toEqual(['randomResizedCrop', 'hflip', 'randomErasing', 'cutmix']);
    expect(r[1]).toEqual({ type: 'hflip', p: 0.5 });
    expect(r[3]).toEqual({ type: 'cutmix', alpha: 1, p: 0.5, mode: 'vertical-half' });
    expect(r[0]).toMatchObject({ scale: [0.6, 1], p: 1 });
  });

  it('rejects duplicates and invalid entries with the list position', () => {
    expect(() => describeTransforms([{ type: 'hflip' }, { type: 'hflip', p: 1 }])).toThrow(/hflip is listed twice/);
    expect(() => describeTransforms([{ type: 'hflip' }, { type: 'rotate' }], 'cfg.json augment.train')).toThrow(/cfg.json augment.train\[1\]/);
    expect(() => describeTransforms([{ type: 'gaussianNoise', std: -1 }])).toThrow(/invalid transform/);
  });

  it('describes a whole augmentation setup in the artifact schema', () => {
    const d = describeAugmentation([{ type: 'mixup' }], { mean: [0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2], outHeight: 224, outWidth: 224, tta: true });
    expect(augmentDescriptionSchema.parse(d)).toEqual(d);
    expect(d.train).toEqual([{ type: 'mixup', alpha: 0.2, p: 0.5 }]);
  });
});
