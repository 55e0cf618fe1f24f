import { describe, expect, it } from 'vitest';
import { Rng } from '@facemask/contracts';
import { centerCropU8 } from './crop.ts';
import { applyDeterministic, centerCropResizeU8 } from './pipeline.ts';
import { resizeU8 } from './resize.ts';

describe('applyDeterministic / centerCropResizeU8', () => {
  const rng = new Rng(1);
  const img = { data: Uint8Array.from({ length: 50 * 40 * 3 }, () => rng.int(0, 256)), height: 50, width: 40, channels: 3 };

  it('chains CenterCrop and Resize(int) like torchvision', () => {
    const out = applyDeterministic(img, [{ op: 'centerCrop', size: 36 }, { op: 'resize', size: 18 }]);
    expect([out.height, out.width]).toEqual([18, 18]);
    expect(Array.from(out.data)).toEqual(Array.from(resizeU8(centerCropU8(img.data, 50, 40, 3, 36, 36), 36, 36, 3, 18, 18)));
    const shorter = applyDeterministic(img, [{ op: 'resize', size: 20 }]);
    expect([shorter.height, shorter.width]).toEqual([25, 20]);
  });

  it('implements the preprocess cache transform, with and without a crop', () => {
    const a = centerCropResizeU8(img, { centerCrop: 30, height: 15, width: 12 });
    expect([a.height, a.width, a.data.length]).toEqual([15, 12, 15 * 12 * 3]);
    const b = centerCropResizeU8(img, { centerCrop: null, height: 50, width: 40 });
    expect(Array.from(b.data)).toEqual(Array.from(img.data));
  });
});
