import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkOrCopy, publishDirOnce, sweepLeftovers, writeDirAtomic, writeFileAtomic } from './atomic.ts';
import { mountTinyTmpfs } from './testing/tmpfs.ts';
import { FAULT_AT_ENV, type FaultSite } from './fault.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ATOMIC = fileURLToPath(new URL('./atomic.ts', import.meta.url));

/**
 * Runs, in a child process, a replacement of `out/` (holding old.txt) by a folder holding
 * new.txt and a write of `file.txt`, killed with SIGKILL at `site` by the fault hook.
 */
async function killedWriter(site: FaultSite): Promise<string | null> {
  const script = join(dir, 'writer.mts');
  await writeFile(
    script,
    `import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDirAtomic, writeFileAtomic } from ${JSON.stringify(ATOMIC)};
const dir = ${JSON.stringify(dir)};
await writeFileAtomic(join(dir, 'file.txt'), 'new');
await writeDirAtomic(join(dir, 'out'), async (tmp) => writeFile(join(tmp, 'new.txt'), 'new'));
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, [FAULT_AT_ENV]: `${site}:1` }, stdio: 'ignore' });
  return new Promise((r) => child.on('exit', (_code, signal) => r(signal)));
}

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

  it('publishes a content-addressed folder once: writers at once all succeed, a whole one stays, a damaged one is replaced', async () => {
    const out = join(dir, 'k');
    const whole = async (d: string) => (await readFile(join(d, 'v'), 'utf8').catch(() => '')) === 'v';
    const put = (text: string) => async (tmp: string) => writeFile(join(tmp, 'v'), text);
    const results = await Promise.all(Array.from({ length: 8 }, () => publishDirOnce(out, put('v'), whole)));
    expect(results.filter((r) => r === 'published')).toHaveLength(1);
    expect(results.filter((r) => r === 'existing')).toHaveLength(7);
    expect(await readdir(dir)).toEqual(['k']);
    const before = (await stat(join(out, 'v'))).ino;
    expect(await publishDirOnce(out, put('v'), whole)).toBe('existing');
    expect((await stat(join(out, 'v'))).ino).toBe(before);
    await writeFile(join(out, 'v'), 'damaged');
    expect(await publishDirOnce(out, put('v'), whole)).toBe('published');
    expect(await readFile(join(out, 'v'), 'utf8')).toBe('v');
    expect(await readdir(dir)).toEqual(['k']);
  });
});

describe('after a kill -9 in the middle of a write', () => {
  // What each site leaves, and what the folder holds once the leftovers are swept.
  const cases: { site: FaultSite; file: string; out: string[] }[] = [
    { site: 'file-write', file: 'old', out: ['old.txt'] },
    { site: 'dir-build', file: 'new', out: ['old.txt'] },
    // the old folder is moved away, the complete new one not yet in place: the sweep finishes the swap
    { site: 'dir-swap', file: 'new', out: ['new.txt'] },
    { site: 'dir-cleanup', file: 'new', out: ['new.txt'] },
  ];
  for (const c of cases) {
    it(`${c.site}: the next write clears the dead writer's temporaries and the artifact is whole`, async () => {
      await mkdir(join(dir, 'out'));
      await writeFile(join(dir, 'out', 'old.txt'), 'old');
      await writeFile(join(dir, 'file.txt'), 'old');
      expect(await killedWriter(c.site)).toBe('SIGKILL');
      expect((await readdir(dir)).some((n) => /\.(tmp|old)$/.test(n))).toBe(true);

      await sweepLeftovers(dir);
      expect((await readdir(dir)).filter((n) => n !== 'writer.mts').sort()).toEqual(['file.txt', 'out']);
      expect(await readFile(join(dir, 'file.txt'), 'utf8')).toBe(c.file);
      expect(await readdir(join(dir, 'out'))).toEqual(c.out);
    }, 60_000);
  }

  it('a later write into the folder sweeps by itself', async () => {
    await writeFile(join(dir, 'file.txt'), 'old');
    expect(await killedWriter('file-write')).toBe('SIGKILL');
    await writeDirAtomic(join(dir, 'other'), async (tmp) => writeFile(join(tmp, 'x'), 'x'));
    expect((await readdir(dir)).filter((n) => n !== 'writer.mts').sort()).toEqual(['file.txt', 'other']);
  }, 60_000);

  it('leaves the temporaries of a live writer alone', async () => {
    const live = join(dir, `.out.${process.pid}.0badf00d.tmp`);
    await mkdir(live);
    expect(await sweepLeftovers(dir)).toEqual([]);
    expect(existsSync(live)).toBe(true);
  });
});

describe('linkOrCopy', () => {
  it('hard-links within a file system', async () => {
    await writeFile(join(dir, 'from'), 'x');
    expect(await linkOrCopy(join(dir, 'from'), join(dir, 'to'))).toBe('linked');
    expect((await stat(join(dir, 'to'))).ino).toBe((await stat(join(dir, 'from'))).ino);
  });

  const tmpfs = mountTinyTmpfs(1 << 20);
  afterAll(() => tmpfs?.unmount());
  it.runIf(tmpfs)('copies across file systems, where no link can be made (needs the right to mount a tmpfs)', async () => {
    const to = join(tmpfs!.dir, 'to');
    await writeFile(join(dir, 'from'), 'x');
    expect(await linkOrCopy(join(dir, 'from'), to)).toBe('copied');
    expect(await readFile(to, 'utf8')).toBe('x');
  });
});
