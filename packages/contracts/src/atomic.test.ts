import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeDirAtomic, writeFileAtomic } from './atomic.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('atomic writes', () => {
  it('writes a file and leaves no temporary behind', async () => {
    await writeFileAtomic(join(dir, 'a/b.txt'), 'hello');
    expect(await readFile(join(dir, 'a/b.txt'), 'utf8')).toBe('hello');
    expect(await readdir(join(dir, 'a'))).toEqual(['b.txt']);
  });

  it('replaces a directory only once the new one is complete', async () => {
    const out = join(dir, 'out');
    await mkdir(out);
    await writeFile(join(out, 'old.txt'), 'old');
    await expect(
      writeDirAtomic(out, async (tmp) => {
        await writeFile(join(tmp, 'half.txt'), 'x');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await readdir(out)).toEqual(['old.txt']);
    expect((await readdir(dir)).sort()).toEqual(['out']);
    await writeDirAtomic(out, async (tmp) => writeFile(join(tmp, 'new.txt'), 'new'));
    expect(await readdir(out)).toEqual(['new.txt']);
    expect((await readdir(dir)).sort()).toEqual(['out']);
  });
});
