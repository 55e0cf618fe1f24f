import { mkdir, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageCacheIndexArtifact, sha256OfFile, workLayout, writeArtifact, type ImageCacheIndex } from '@facemask/contracts';
import { checkImageStore, ensureImageStore, pruneImageStores, restoreImageStore, SHARED_STORE_GRACE_MS, type CacheInput } from './store.ts';

/**
 * The work folders of a runs folder share one set of pixel stores: a store built for one run is
 * found by the next, and one run's prune never removes a store another run's preprocess output
 * names (finished or still being written) or opened a moment ago.
 */
let dir: string;
let inputs: CacheInput[];
const t = { centerCrop: null, height: 8, width: 8 };
const opts = () => ({ root: join(dir, 'photos'), quiet: true });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facemask-store-shared-'));
  await mkdir(join(dir, 'photos'));
  inputs = [];
  for (let i = 0; i < 3; i++) {
    const p = join(dir, 'photos', `p${i}.png`);
    await sharp({ create: { width: 12, height: 12, channels: 3, background: { r: i * 60, g: 40, b: 90 } } }).png().toFile(p);
    inputs.push({ id: `p${i}`, path: p, sha256: await sha256OfFile(p) });
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes the index a preprocess output (or one being written, `dir` a temp folder) names. */
async function nameInOutput(preprocessDir: string, index: ImageCacheIndex): Promise<void> {
  await writeArtifact(imageCacheIndexArtifact, workLayout.imageCache(preprocessDir, 'train').index, index);
}

/** Makes a store look opened long ago, past the grace a just-opened store gets. */
async function age(work: string, key: string): Promise<void> {
  const then = new Date(Date.now() - SHARED_STORE_GRACE_MS - 60_000);
  await utimes(workLayout.imageStore(work, key).dir, then, then);
}

describe('pixel stores shared by the runs of a runs folder', () => {
  it('lie beside the runs folder, and a second run finds the first run\'s store', async () => {
    const a = join(dir, 'data', 'runs', 'a');
    const b = join(dir, 'data', 'runs', 'b');
    expect(workLayout.imageStores(a)).toBe(join(dir, 'data', '.cache', 'images'));
    expect(workLayout.imageStores(b)).toBe(workLayout.imageStores(a));
    // any other work folder keeps its own
    expect(workLayout.imageStores(join(dir, 'data', 'work'))).toBe(join(dir, 'data', 'work', '.cache', 'images'));
    const first = await ensureImageStore(a, 'train', inputs, t, opts());
    const second = await ensureImageStore(b, 'train', inputs, t, opts());
    expect([first.reused, second.reused]).toEqual([false, true]);
    expect(second.index.store).toBe(first.index.store);
    expect(await readdir(workLayout.imageStores(a))).toEqual([first.index.store]);
  });

  it('two runs building the same store at once both succeed, leaving one whole store and no temporaries', async () => {
    const runs = join(dir, 'race', 'runs');
    const works = Array.from({ length: 8 }, (_, i) => join(runs, `r${i}`));
    const built = await Promise.all(works.map((w) => ensureImageStore(w, 'train', inputs, t, opts())));
    const key = built[0]!.index.store;
    for (const b of built) expect(b.index).toEqual(built[0]!.index);
    expect(await readdir(workLayout.imageStores(works[0]!))).toEqual([key]);
    expect(await checkImageStore(works[0]!, key)).toEqual({ index: built[0]!.index });

    // and so do runs rebuilding it at once from its index (a preprocess output restored from Nx's cache)
    await rm(workLayout.imageStore(works[0]!, key).dir, { recursive: true });
    await Promise.all(works.map((w) => restoreImageStore(w, built[0]!.index, opts())));
    expect(await readdir(workLayout.imageStores(works[0]!))).toEqual([key]);
    expect(await checkImageStore(works[0]!, key)).toEqual({ index: built[0]!.index });
  });

  it("keeps a store another run's output names, finished or in progress, or that was opened within the grace", async () => {
    const runs = join(dir, 'prune', 'runs');
    const [a, b, c] = ['a', 'b', 'c'].map((n) => join(runs, n)) as [string, string, string];
    const stores = async () => (await readdir(workLayout.imageStores(a)).catch(() => [] as string[])).sort();
    const one = await ensureImageStore(a, 'train', inputs.slice(0, 1), t, opts());
    const two = await ensureImageStore(a, 'train', inputs.slice(0, 2), t, opts());
    const three = await ensureImageStore(a, 'train', inputs, t, opts());
    await nameInOutput(workLayout.preprocess(b).dir, one.index);
    // c's preprocess is being written by this (live) process
    await nameInOutput(join(c, `.preprocess.${process.pid}.0123abcd.tmp`), two.index);
    for (const s of [one, two, three]) await age(a, s.index.store);

    // a's prune keeps nothing of its own: b's output and c's output in progress still name two stores
    expect((await pruneImageStores(a, new Set())).removed).toEqual([three.index.store]);
    expect(await stores()).toEqual([one.index.store, two.index.store].sort());

    // once c's write is over (its temp folder gone) and b names another, they go
    await rm(join(c, `.preprocess.${process.pid}.0123abcd.tmp`), { recursive: true });
    await rm(workLayout.preprocess(b).dir, { recursive: true });
    expect((await pruneImageStores(a, new Set())).removed.sort()).toEqual([one.index.store, two.index.store].sort());

    // a store opened a moment ago (another run between finding it and naming it) stays
    const again = await ensureImageStore(b, 'train', inputs, t, opts());
    expect((await pruneImageStores(a, new Set())).removed).toEqual([]);
    await age(a, again.index.store);
    expect((await pruneImageStores(a, new Set())).removed).toEqual([again.index.store]);
    expect(await stores()).toEqual([]);
  });

  it('a dead process\'s preprocess folder in progress protects nothing', async () => {
    const runs = join(dir, 'dead', 'runs');
    const a = join(runs, 'a');
    const s = await ensureImageStore(a, 'train', inputs, t, opts());
    // pid 2^22 + 1 is above Linux's pid_max: no such process
    await nameInOutput(join(runs, 'b', `.preprocess.${2 ** 22 + 1}.0123abcd.tmp`), s.index);
    await age(a, s.index.store);
    expect((await pruneImageStores(a, new Set())).removed).toEqual([s.index.store]);
  });
});
