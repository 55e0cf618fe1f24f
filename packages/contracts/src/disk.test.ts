import { mkdir, open, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDirAtomic, writeFileAtomic } from './atomic.ts';
import { DiskFullError, formatBytes, freeBytes } from './disk.ts';
import { mountTinyTmpfs } from './testing/tmpfs.ts';

const SIZE = 256 * 1024;
const tiny = mountTinyTmpfs(SIZE);
afterAll(() => tiny?.unmount());

describe('formatBytes', () => {
  it('prints decimal units as df -H does', () => {
    expect([0, 999, 1536, 262_144, 4.7e9, 1.39e10].map(formatBytes)).toEqual(['0 B', '999 B', '1.5 kB', '262.1 kB', '4.7 GB', '13.9 GB']);
  });
});

// A real ENOSPC from the kernel. Where mounting is refused (not root, not Linux) the same
// messages are checked against an injected error in disk-injected.test.ts.
describe.runIf(tiny)(`on a full disk (a ${SIZE / 1024} kB tmpfs)`, () => {
  const dir = tiny?.dir ?? '';

  it('writeFileAtomic names the file, the bytes it needed, the folder and its free space; no temporary survives', async () => {
    await writeFileAtomic(join(dir, 'a', 'kept.json'), '{"ok":true}');
    const file = join(dir, 'a', 'kept.json');
    const big = new Uint8Array(300_000);
    const err = await writeFileAtomic(file, big).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DiskFullError);
    const free = (await freeBytes(join(dir, 'a')))!;
    expect(free).toBeGreaterThan(SIZE - 16_384);
    expect((err as DiskFullError).message).toBe(
      `disk full: writing ${file} needs 300.0 kB in ${join(dir, 'a')}, ${formatBytes(free)} free there. Fix: free space there (or set data.work to a folder on a larger disk) and rerun.`,
    );
    expect((err as DiskFullError).file).toBe(file);
    expect(await readFile(file, 'utf8')).toBe('{"ok":true}');
    expect(await readdir(join(dir, 'a'))).toEqual(['kept.json']);
  });

  it('writeDirAtomic turns a raw ENOSPC inside the build into one line naming the folder and what it had written', async () => {
    const out = join(dir, 'out');
    await mkdir(out);
    await writeFile(join(out, 'old.txt'), 'old');
    const err = await writeDirAtomic(out, async (tmp) => {
      // a plain file handle, as a checkpoint or pixel store writes: Node's error names no file
      const fh = await open(join(tmp, 'weights.bin'), 'w');
      try {
        for (let i = 0; i < 100; i++) await fh.write(new Uint8Array(16_384));
      } finally {
        await fh.close();
      }
    }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DiskFullError);
    expect((err as Error).message).toMatch(
      new RegExp(`^disk full: writing ${out} needs more than \\d+\\.\\d kB in ${dir}, \\d+\\.\\d kB free there\\. Fix: free space there`),
    );
    expect(await readdir(out)).toEqual(['old.txt']);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
