import type * as FsPromises from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DiskFullError, formatBytes, freeBytes, workLayout } from '@facemask/contracts';
import { enospc, mountTinyTmpfs } from '@facemask/contracts/testing/tmpfs';
import { sha256OfFile } from '@facemask/contracts';
import { ensureImageStore, storeKey, type CacheInput } from './store.ts';

/**
 * The image store on a disk that is, or becomes, full: one line naming the pixel file, the bytes
 * the whole store needs, the folder and what is free there; nothing half-written left behind.
 * A real tmpfs where mounting is allowed (root on Linux), else the same checks on injected errors.
 */

// Injected: under a folder named "fake-small-disk" statfs reports 100 kB free; under
// "fake-full-disk" a file handle's writes fail once 50 kB are written. Elsewhere, the real thing.
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  return {
    ...fs,
    statfs: (async (path, opts) => {
      const real = await fs.statfs(path, opts as never);
      return String(path).includes('/fake-small-disk') ? { ...real, bavail: 100_000 / real.bsize } : real;
    }) as typeof fs.statfs,
    open: (async (path, flags, mode) => {
      const fh = await fs.open(path, flags, mode);
      if (!String(path).includes('/fake-full-disk/') || flags !== 'w') return fh;
      let written = 0;
      const write = fh.write.bind(fh) as (...a: unknown[]) => Promise<{ bytesWritten: number }>;
      return Object.assign(fh, {
        write: async (...args: unknown[]) => {
          if (written >= 50_000) throw enospc();
          const r = await write(...args);
          written += r.bytesWritten;
          return r;
        },
      });
    }) as typeof fs.open,
  };
});

const SIZE = 256 * 1024;
const tiny = mountTinyTmpfs(SIZE);
let dir: string;
let inputs: CacheInput[];
// 30 kB a photo: the 11 inputs (one of them no photo) need at most 330 kB
const t = { centerCrop: null, height: 100, width: 100 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facemask-store-disk-'));
  inputs = [];
  const bad = join(dir, 'bad.jpg');
  await writeFile(bad, 'not a photo');
  inputs.push({ id: 'bad', path: bad, sha256: await sha256OfFile(bad) });
  for (let i = 0; i < 10; i++) {
    const p = join(dir, `p${i}.png`);
    await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: i * 20, g: 50, b: 90 } } }).png().toFile(p);
    inputs.push({ id: `p${i}`, path: p, sha256: await sha256OfFile(p) });
  }
});
afterAll(async () => {
  tiny?.unmount();
  await rm(dir, { recursive: true, force: true });
});

async function failure(work: string, onFailure?: () => void, some = inputs): Promise<DiskFullError> {
  const err = await ensureImageStore(work, 'train', some, t, { root: dir, quiet: true, onFailure }).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(DiskFullError);
  return err as DiskFullError;
}

async function expectNothingLeft(work: string): Promise<void> {
  expect(await readdir(workLayout.imageStores(work)).catch(() => [])).toEqual([]);
}

describe.runIf(tiny)(`image store on a ${SIZE / 1024} kB tmpfs (a real ENOSPC)`, () => {
  it('too little space: fails before decoding anything, with the size of the whole store', async () => {
    const work = join(tiny!.dir, 'w1');
    const pixels = workLayout.imageStore(work, storeKey(inputs, t)).pixels;
    const err = await failure(work);
    const free = formatBytes((await freeBytes(tiny!.dir))!);
    expect(err.message).toBe(
      `not enough disk space: writing ${pixels} needs 330.0 kB in ${join(pixels, '..')}, ${free} free there. Fix: free space there (or set data.work to a folder on a larger disk) and rerun.`,
    );
    await expectNothingLeft(work);
  });

  it('the disk fills while writing: the same line, and the partial store is removed', async () => {
    const work = join(tiny!.dir, 'w2');
    const seven = inputs.slice(0, 7);
    const pixels = workLayout.imageStore(work, storeKey(seven, t)).pixels;
    // 210 kB fit when the build starts; another writer takes the room once the first (bad) photo is reported
    const err = await failure(work, () => writeFileSync(join(tiny!.dir, 'filler'), new Uint8Array(200 * 1024)), seven);
    expect(err.message).toMatch(new RegExp(`^disk full: writing ${pixels} needs 210\\.0 kB in ${join(pixels, '..')}, \\d+(\\.\\d)? kB free there\\. Fix: `));
    await expectNothingLeft(work);
    await rm(join(tiny!.dir, 'filler'));
  });
});

describe('image store on a full disk, injected (runs everywhere)', () => {
  it('too little space: fails before decoding anything', async () => {
    const work = join(dir, 'fake-small-disk', 'work');
    await mkdir(work, { recursive: true });
    const pixels = workLayout.imageStore(work, storeKey(inputs, t)).pixels;
    const err = await failure(work);
    expect(err.message).toBe(
      `not enough disk space: writing ${pixels} needs 330.0 kB in ${join(pixels, '..')}, 100.0 kB free there. Fix: free space there (or set data.work to a folder on a larger disk) and rerun.`,
    );
    await expectNothingLeft(work);
  });

  it('the disk fills while writing', async () => {
    const work = join(dir, 'fake-full-disk', 'work');
    const pixels = workLayout.imageStore(work, storeKey(inputs, t)).pixels;
    const err = await failure(work);
    expect(err.message).toMatch(new RegExp(`^disk full: writing ${pixels} needs 330\\.0 kB in ${join(pixels, '..')}, .+ free there\\. Fix: `));
    await expectNothingLeft(work);
  });
});
