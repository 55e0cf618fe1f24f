import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, open, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { readSafetensors, tensorData, type SafeTensor } from '@facemask/engine';
import { checkTolerance, referenceCases, referenceDir } from '@facemask/contracts/reference';
import { imageCacheIndexArtifact, sha256OfFile, workLayout, writeArtifact, type ImageCacheIndex } from '@facemask/contracts';
import { decodePhoto, ensureImageStore, findImageStore, loadPhoto, openImageCache, pruneImageStores, storeKey, transformPhoto, type CacheInput } from '@facemask/image-cache';

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

/** Publishes a store's index as preprocess does, so openImageCache finds it. */
async function publish(work: string, index: ImageCacheIndex): Promise<void> {
  await writeArtifact(imageCacheIndexArtifact, workLayout.imageCache(workLayout.preprocess(work).dir, index.split).index, index);
}

async function inputsOf(n: number, sub: string): Promise<CacheInput[]> {
  const src = join(dir, sub);
  await mkdir(src, { recursive: true });
  const inputs: CacheInput[] = [];
  for (let i = 0; i < n; i++) {
    const p = join(src, `p${i}.png`);
    await patternPng(p, 20 + i, 10 + i, i * 11);
    inputs.push({ id: `p${i}`, path: p, sha256: await sha256OfFile(p) });
  }
  return inputs;
}

async function readAll(work: string, split: 'train' | 'eval', opts: Parameters<typeof openImageCache>[2] = { root: dir }): Promise<Uint8Array> {
  const cache = await openImageCache(work, split, opts);
  try {
    return await cache.read(Array.from({ length: cache.count }, (_, i) => i));
  } finally {
    await cache.close();
  }
}

describe('image store', () => {
  it('stores each photo once in input order, outside the preprocess output; reads any subset; reports undecodable photos', async () => {
    const work = join(dir, 'w1');
    const inputs = await inputsOf(6, 'src1');
    const bad = join(dir, 'bad.jpg');
    await writeFile(bad, 'not a jpeg');
    inputs.splice(2, 0, { id: 'bad', path: bad, sha256: await sha256OfFile(bad) });
    const t = { centerCrop: 12, height: 6, width: 5 };
    const failures: string[] = [];
    const { index, reused } = await ensureImageStore(work, 'train', inputs, t, { root: dir, onFailure: (inp, r) => failures.push(`${inp.id}: ${r}`), quiet: true, concurrency: 3 });
    expect(reused).toBe(false);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/^bad: corrupt or not an image/);
    expect(index.ids).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
    expect(index.sources.map((s) => s.path)).toEqual(inputs.filter((i) => i.id !== 'bad').map((i) => i.path));
    expect(index.failures).toEqual([{ id: 'bad', reason: expect.stringMatching(/corrupt/), fix: expect.stringMatching(/^replace it/) }]);
    expect(index.store).toBe(storeKey(inputs, t));
    const store = workLayout.imageStore(work, index.store);
    expect(store.dir).toBe(join(work, '.cache', 'images', index.store));
    const bytes = 6 * 5 * 3;
    expect((await stat(store.pixels)).size).toBe(6 * bytes);
    expect(index.pixelsSha256).toBe(await sha256OfFile(store.pixels));

    await publish(work, index);
    const cache = await openImageCache(work, 'train', { root: dir });
    expect(cache).toMatchObject({ count: 6, height: 6, width: 5, channels: 3 });
    const batch = await cache.read([4, 0, 1, 2, 5]);
    expect(batch.length).toBe(5 * bytes);
    for (const [slot, idx] of [4, 0, 1, 2, 5].entries()) {
      const want = await loadPhoto(inputs.find((x) => x.id === `p${idx}`)!.path, t);
      expect(Buffer.from(batch.subarray(slot * bytes, (slot + 1) * bytes)).equals(Buffer.from(want))).toBe(true);
    }
    await expect(cache.read([6])).rejects.toThrow(/out of range/);
    await cache.close();
  });

  it('is found again for the same photos and transform (whatever else changed), and only then', async () => {
    const work = join(dir, 'w2');
    const inputs = await inputsOf(2, 'src2');
    const t = { centerCrop: null, height: 4, width: 4 };
    const first = await ensureImageStore(work, 'eval', inputs, t, { root: dir, quiet: true });
    const again = await ensureImageStore(work, 'eval', inputs, t, { root: dir, quiet: true });
    expect(again).toEqual({ index: first.index, reused: true, handedOver: 0 });
    expect((await ensureImageStore(work, 'eval', inputs, { ...t, width: 3 }, { root: dir, quiet: true })).reused).toBe(false);
    expect((await ensureImageStore(work, 'eval', [inputs[0]!, { ...inputs[1]!, sha256: 'f'.repeat(64) }], t, { root: dir, quiet: true })).reused).toBe(false);
    expect((await ensureImageStore(work, 'eval', [...inputs].reverse(), t, { root: dir, quiet: true })).reused).toBe(false);
    // a store cut short is not found: it is built again
    await truncate(workLayout.imageStore(work, first.index.store).pixels, 10);
    expect(await findImageStore(work, first.index.store)).toBeNull();
    expect((await ensureImageStore(work, 'eval', inputs, t, { root: dir, quiet: true })).reused).toBe(false);
  });

  it('a store that is gone is rebuilt when opened, from the photos its index lists, to the same pixels', async () => {
    const work = join(dir, 'w3');
    const inputs = await inputsOf(4, 'src3');
    const t = { centerCrop: 16, height: 8, width: 8 };
    const { index } = await ensureImageStore(work, 'train', inputs, t, { root: dir, quiet: true });
    await publish(work, index);
    const before = await readAll(work, 'train');
    await rm(workLayout.imageStores(work), { recursive: true });
    const logs: string[] = [];
    expect(Buffer.from(await readAll(work, 'train', { root: dir, quiet: true, log: (l) => logs.push(l) })).equals(Buffer.from(before))).toBe(true);
    expect(logs).toEqual([
      `image store ${workLayout.imageStore(work, index.store).dir} (named by ${join(work, 'preprocess', 'cache', 'train.json')}) is missing or incomplete: rebuilding it from its 4 photos`,
    ]);
    expect(await findImageStore(work, index.store)).toEqual(index);

    // a photo that changed since: no silent rebuild from other pixels
    await rm(workLayout.imageStores(work), { recursive: true });
    await patternPng(inputs[2]!.path, 22, 12, 99);
    await expect(readAll(work, 'train', { root: dir, quiet: true, log: () => {} })).rejects.toThrow(
      `${inputs[2]!.path} changed since preprocess cached it (data.root ${dir}): rerun \`nx run preprocess:run --skip-nx-cache\``,
    );
    expect(await readdir(workLayout.imageStores(work))).toEqual([]);

    // pixels that come out differently (another decoder build) are refused too
    await patternPng(inputs[2]!.path, 22, 12, 2 * 11);
    await publish(work, { ...index, pixelsSha256: '0'.repeat(64) });
    await expect(readAll(work, 'train', { root: dir, quiet: true, log: () => {} })).rejects.toThrow(/has other pixels than preprocess recorded .*rerun `nx run preprocess:run --skip-nx-cache`/);
  });

  it('an index names its photos relative to the data root: a store restored into another work folder is rebuilt from the root given there', async () => {
    const inputs = await inputsOf(3, 'root-a/train/images');
    const rel = inputs.map((i) => ({ ...i, path: relative(join(dir, 'root-a'), i.path).split(sep).join('/') }));
    const t = { centerCrop: null, height: 5, width: 5 };
    const { index } = await ensureImageStore(join(dir, 'w6'), 'train', rel, t, { root: join(dir, 'root-a'), quiet: true });
    expect(index.sources.map((x) => x.path)).toEqual(['train/images/p0.png', 'train/images/p1.png', 'train/images/p2.png']);
    // another machine: the same photos under another root, the output restored without its store
    await cp(join(dir, 'root-a'), join(dir, 'root-b'), { recursive: true });
    await rm(join(dir, 'root-a'), { recursive: true });
    const work = join(dir, 'w7');
    await publish(work, index);
    const logs: string[] = [];
    const cache = await openImageCache(work, 'train', { root: join(dir, 'root-b'), quiet: true, log: (l) => logs.push(l) });
    await cache.close();
    expect(logs).toEqual([expect.stringMatching(/is missing or incomplete: rebuilding it from its 3 photos$/)]);
    expect(await findImageStore(work, index.store)).toEqual(index);
  });

  it('a store overwritten in place (same size) is rebuilt, never trained on: by preprocess, and when opened', async () => {
    const work = join(dir, 'w5');
    const inputs = await inputsOf(3, 'src5');
    const t = { centerCrop: null, height: 6, width: 6 };
    const { index } = await ensureImageStore(work, 'train', inputs, t, { root: dir, quiet: true });
    await publish(work, index);
    const before = await readAll(work, 'train');
    const pixels = workLayout.imageStore(work, index.store).pixels;
    const damage = async () => {
      const fh = await open(pixels, 'r+');
      await fh.write(new Uint8Array(20).fill(7), 0, 20, 30);
      await fh.close();
    };
    await damage();
    const logs: string[] = [];
    const again = await ensureImageStore(work, 'train', inputs, t, { root: dir, quiet: true, log: (l) => logs.push(l) });
    expect(again.reused).toBe(false);
    expect(logs).toEqual([expect.stringMatching(new RegExp(`^image store train: ${pixels} has sha256 [0-9a-f]{12}, not the ${index.pixelsSha256.slice(0, 12)} recorded when it was written \\(changed on disk since\\): rebuilding it$`))]);
    expect(Buffer.from(await readAll(work, 'train')).equals(Buffer.from(before))).toBe(true);

    await damage();
    const opened: string[] = [];
    expect(Buffer.from(await readAll(work, 'train', { root: dir, quiet: true, log: (l) => opened.push(l) })).equals(Buffer.from(before))).toBe(true);
    expect(opened).toEqual([
      `image store ${workLayout.imageStore(work, index.store).dir} (named by ${join(work, 'preprocess', 'cache', 'train.json')}) does not have the sha256 recorded when it was written (changed on disk since): rebuilding it from its 3 photos`,
    ]);
  });

  it('pruning keeps the named stores and builds still running; removes other stores and what killed builds left', async () => {
    const work = join(dir, 'w4');
    const inputs = await inputsOf(1, 'src4');
    const a = await ensureImageStore(work, 'train', inputs, { centerCrop: null, height: 4, width: 4 }, { root: dir, quiet: true });
    const b = await ensureImageStore(work, 'train', inputs, { centerCrop: null, height: 5, width: 4 }, { root: dir, quiet: true });
    const stores = workLayout.imageStores(work);
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const running = `.${'c'.repeat(64)}.${sleeper.pid}.0a1b2c3d.tmp`;
      const killed = `.${'d'.repeat(64)}.999999999.0a1b2c3d.tmp`;
      for (const d of [running, killed]) await mkdir(join(stores, d));
      await writeFile(join(stores, killed, 'pixels.u8'), new Uint8Array(1000));
      const bIndex = (await stat(workLayout.imageStore(work, b.index.store).index)).size;
      const r = await pruneImageStores(work, new Set([a.index.store]));
      expect(r.removed.sort()).toEqual([killed, b.index.store].sort());
      expect(r.bytes).toBe(1000 + 5 * 4 * 3 + bIndex);
      expect((await readdir(stores)).sort()).toEqual([a.index.store, running].sort());
    } finally {
      sleeper.kill();
    }
  });
});
