import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { readSafetensors, tensorData, type SafeTensor } from '@facemask/engine';
import { checkTolerance, referenceCases, referenceDir } from '@facemask/contracts/reference';
import { buildImageCache, openImageCacheIn, reuseImageCache, type CacheInput } from './cache.ts';
import { decodePhoto, loadPhoto } from './decode.ts';
import { transformPhoto } from './transform.ts';
import { sha256File } from './fingerprint.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facemask-cache-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A photo whose bytes count up from `shift` (mod 256), so crops and resizes of different photos differ. */
async function patternPng(path: string, h: number, w: number, shift: number): Promise<void> {
  const px = new Uint8Array(h * w * 3);
  for (let i = 0; i < px.length; i++) px[i] = (i + shift) % 256;
  await sharp(Buffer.from(px), { raw: { width: w, height: h, channels: 3 } }).png().toFile(path);
}

describe('decode + transform parity with torchvision (reference fixtures)', () => {
  const cases = referenceCases('preprocess');
  it('has fixture cases', () => expect(cases.length).toBeGreaterThan(0));
  for (const c of cases) {
    it(`${c.id}: decode matches Pillow and CenterCrop(384)+Resize(224) matches torchvision within the manifest tolerance`, async () => {
      const dirRef = referenceDir();
      const st = await readSafetensors(resolve(dirRef, c.files.tensors!));
      const names = c.select!.tensor_names!;
      const tensor = (role: string): SafeTensor => st.tensors.get(names[role]!)!;
      const decoded = await decodePhoto(resolve(dirRef, c.files.image!));
      const ref = tensor('decoded_u8');
      expect([decoded.height, decoded.width, 3]).toEqual(ref.shape);
      const decTol = checkTolerance(decoded.data, tensorData(ref), c.tolerances.decoded_u8 as Record<string, unknown>);
      expect(decTol.ok, decTol.message).toBe(true);

      const ours = transformPhoto(decoded, { centerCrop: 384, height: 224, width: 224 });
      const refNorm = tensorData(tensor('center_crop384_resize224_normalize'));
      // Normalise our HWC uint8 into torch's CHW floats and compare under the manifest's tolerance.
      const mean = c.params.mean as number[];
      const std = c.params.std as number[];
      const chw = new Float32Array(3 * 224 * 224);
      for (let i = 0; i < 224 * 224; i++) {
        for (let ch = 0; ch < 3; ch++) chw[ch * 224 * 224 + i] = (ours[i * 3 + ch]! / 255 - mean[ch]!) / std[ch]!;
      }
      const t = checkTolerance(chw, refNorm, c.tolerances.center_crop384_resize224_normalize as Record<string, unknown>);
      expect(t.ok, t.message).toBe(true);

      // Fed Pillow's own decode, the transform must match the uint8 reference to the rounding.
      const fromRef = transformPhoto({ data: tensorData(ref) as Uint8Array, height: ref.shape[0]!, width: ref.shape[1]! }, { centerCrop: 384, height: 224, width: 224 });
      const u8 = checkTolerance(fromRef, tensorData(tensor('center_crop384_resize224_u8')), { max_abs: 1 });
      expect(u8.ok, u8.message).toBe(true);
    });
  }
});

describe('image cache', () => {
  it('stores each photo once in input order, reads any subset, and reports undecodable photos', async () => {
    const src = join(dir, 'src');
    await mkdir(src, { recursive: true });
    const inputs: CacheInput[] = [];
    for (let i = 0; i < 6; i++) {
      const p = join(src, `p${i}.png`);
      await patternPng(p, 20 + i, 10 + i, i * 11);
      inputs.push({ id: `p${i}`, path: p, sha256: await sha256File(p) });
    }
    const bad = join(src, 'bad.jpg');
    await writeFile(bad, 'not a jpeg');
    inputs.splice(2, 0, { id: 'bad', path: bad, sha256: await sha256File(bad) });
    const t = { centerCrop: 12, height: 6, width: 5 };
    const failures: string[] = [];
    const out = join(dir, 'out');
    const index = await buildImageCache(out, 'train', inputs, t, { onFailure: (inp, r) => failures.push(`${inp.id}: ${r}`), quiet: true, concurrency: 3 });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/^bad: corrupt or not an image/);
    expect(index.ids).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
    expect(index.failures).toEqual([{ id: 'bad', reason: expect.stringMatching(/corrupt/) }]);

    const cache = await openImageCacheIn(out, 'train');
    expect(cache).toMatchObject({ count: 6, height: 6, width: 5, channels: 3 });
    const bytes = 6 * 5 * 3;
    const batch = await cache.read([4, 0, 1, 2, 5]);
    expect(batch.length).toBe(5 * bytes);
    for (const [slot, idx] of [4, 0, 1, 2, 5].entries()) {
      const want = await loadPhoto(inputs.find((x) => x.id === `p${idx}`)!.path, t);
      expect(Buffer.from(batch.subarray(slot * bytes, (slot + 1) * bytes)).equals(Buffer.from(want))).toBe(true);
    }
    await expect(cache.read([6])).rejects.toThrow(/out of range/);
    await cache.close();
    expect((await stat(join(out, 'cache', 'train.u8'))).size).toBe(6 * bytes);
  });

  it('is reused only for the same inputs and transform', async () => {
    const p = join(dir, 'one.png');
    await patternPng(p, 8, 8, 3);
    const inputs = [{ id: 'one', path: p, sha256: await sha256File(p) }];
    const t = { centerCrop: null, height: 4, width: 4 };
    const a = join(dir, 'a');
    await buildImageCache(a, 'eval', inputs, t, { onFailure: () => {}, quiet: true });
    expect(await reuseImageCache(a, join(dir, 'b'), 'eval', inputs, t)).not.toBeNull();
    const b = await openImageCacheIn(join(dir, 'b'), 'eval');
    expect(b.ids).toEqual(['one']);
    await b.close();
    expect(await reuseImageCache(a, join(dir, 'c'), 'eval', inputs, { ...t, width: 3 })).toBeNull();
    expect(await reuseImageCache(a, join(dir, 'c'), 'eval', [{ ...inputs[0]!, sha256: 'x' }], t)).toBeNull();
    expect(await reuseImageCache(join(dir, 'nothing'), join(dir, 'c'), 'eval', inputs, t)).toBeNull();
  });
});
