import type * as FsPromises from 'node:fs/promises';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeDirAtomic, writeFileAtomic } from './atomic.ts';
import { DiskFullError } from './disk.ts';
import { enospc } from './testing/tmpfs.ts';

// writeFile fails as on a full disk for any file under a folder named "full".
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  return {
    ...fs,
    writeFile: (async (path, data, opts) => {
      if (String(path).includes('/full/')) throw enospc();
      return fs.writeFile(path, data, opts);
    }) as typeof fs.writeFile,
  };
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facemask-enospc-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('disk full, injected (runs everywhere)', () => {
  it('writeFileAtomic: one line with the file, the bytes needed, the folder, its free space and the fix', async () => {
    const file = join(dir, 'full', 'model.safetensors');
    const err = await writeFileAtomic(file, new Uint8Array(2_500_000)).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DiskFullError);
    expect((err as Error).message).toMatch(
      new RegExp(`^disk full: writing ${file} needs 2\\.5 MB in ${join(dir, 'full')}, \\d+(\\.\\d)? [kMGT]?B free there\\. Fix: free space there \\(or set data\\.work to a folder on a larger disk\\) and rerun\\.$`),
    );
    expect(await readdir(join(dir, 'full'))).toEqual([]);
  });

  it('writeDirAtomic: a raw ENOSPC from the build names the folder being built', async () => {
    const out = join(dir, 'built');
    const err = await writeDirAtomic(out, async () => {
      throw enospc();
    }).then(() => null, (e: unknown) => e);
    expect((err as Error).message).toMatch(new RegExp(`^disk full: writing ${out} needs more than 0 B in ${dir}, .* free there\\. Fix: `));
    expect(await readdir(dir)).toEqual(['full']);
  });

  it('other errors pass through untouched', async () => {
    await expect(writeDirAtomic(join(dir, 'x'), async () => Promise.reject(new Error('boom')))).rejects.toThrow(/^boom$/);
  });
});
