import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestDataFiles, digestsIfUnchanged, type DigestOptions } from './data-root.ts';
import { sha256OfFile } from './hash.ts';

/*
 * The per-file digest sidecar that preprocess's fingerprint and detect's store key share: a file
 * is read once while its size, times and inode stay, and read again when any of them moves.
 */
let base: string;
let root: string;
let sidecar: string;
const rels = ['eval/images/a.jpg', 'train/images/p1/mask1.jpg', 'train/images/p1/normal.jpg', 'train/train.csv'];
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

/** digestDataFiles with a reader that records which files it read. */
async function digest(files: readonly string[], opts: DigestOptions = {}): Promise<{ digests: Awaited<ReturnType<typeof digestDataFiles>>; read: string[] }> {
  const read: string[] = [];
  const readDigest = (file: string) => (read.push(file.slice(root.length + 1)), sha256OfFile(file));
  return { digests: await digestDataFiles(root, files, { sidecar, ...opts, readDigest }), read: read.sort() };
}

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'data-root-digests-'));
  root = join(base, 'root');
  sidecar = join(base, 'work', '.cache', 'fingerprint-files.json');
  for (const rel of rels) {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), `bytes of ${rel}`);
  }
});
afterEach(() => rm(base, { recursive: true, force: true }));

describe('digestDataFiles', () => {
  it('reads each file once: a second pass over unchanged files reads none and gives the same digests', async () => {
    const first = await digest(rels, { complete: true });
    expect(first.read).toEqual(rels);
    expect(first.digests).toEqual(rels.map((rel) => ({ rel, size: `bytes of ${rel}`.length, sha256: sha(`bytes of ${rel}`) })));
    const second = await digest(rels, { complete: true });
    expect(second.read).toEqual([]);
    expect(second.digests).toEqual(first.digests);
    expect(await digestsIfUnchanged(root, rels, sidecar, { complete: true })).toEqual(first.digests);
  });

  it('reads again a same-size file whose mtime was set back (cp -p, touch -r): ctime and inode differ', async () => {
    const photo = join(root, rels[1]!);
    const when = new Date('2024-01-02T03:04:05.000Z');
    await utimes(photo, when, when);
    const before = (await digest(rels)).digests[1]!;
    // replaced by another file: other bytes, the same size and the old mtime
    const copy = join(base, 'replacement.jpg');
    await writeFile(copy, `bytes of ${rels[1]!}`.replace('bytes', 'BYTES'));
    await utimes(copy, when, when);
    await rename(copy, photo);
    expect(await digestsIfUnchanged(root, rels, sidecar)).toBeNull();
    const replaced = await digest(rels);
    expect(replaced.read).toEqual([rels[1]]);
    expect(replaced.digests[1]!.sha256).not.toBe(before.sha256);
    expect(replaced.digests[1]!.size).toBe(before.size);
    // rewritten in place (same inode) with the mtime set back: ctime still tells
    await writeFile(photo, `bytes of ${rels[1]!}`);
    await utimes(photo, when, when);
    expect((await stat(photo)).mtimeMs).toBe(when.getTime());
    const rewritten = await digest(rels);
    expect(rewritten.read).toEqual([rels[1]]);
    expect(rewritten.digests[1]).toEqual(before);
  });

  it('keeps the entries of files it was not asked about unless told the list is complete', async () => {
    await digest(rels, { complete: true });
    const photos = rels.filter((r) => r.endsWith('.jpg'));
    await writeFile(join(root, photos[0]!), 'changed');
    expect((await digest(photos)).read).toEqual([photos[0]]);
    // train.csv's entry survived the partial pass: the whole listing still reads nothing
    expect((await digest(rels, { complete: true })).read).toEqual([]);
    // a file gone from a complete listing leaves the sidecar, so the listing without it is "unchanged" again
    const fewer = rels.slice(1);
    expect(await digestsIfUnchanged(root, fewer, sidecar, { complete: true })).toBeNull();
    expect((await digest(fewer, { complete: true })).read).toEqual([]);
    expect(await digestsIfUnchanged(root, fewer, sidecar, { complete: true })).not.toBeNull();
  });

  it('ignores an older, damaged or other root\'s sidecar and a malformed entry, and rewrites it', async () => {
    const bodies = [
      JSON.stringify({ version: 1, root, files: Object.fromEntries(rels.map((r) => [r, [1, 2, 'x']])) }),
      '{"version": 2, "root": ',
      'null',
      JSON.stringify({ version: 2, root: join(base, 'elsewhere'), files: {} }),
    ];
    for (const body of bodies) {
      await mkdir(join(sidecar, '..'), { recursive: true });
      await writeFile(sidecar, body);
      expect((await digest(rels, { complete: true })).read, body).toEqual(rels);
      expect((await digest(rels, { complete: true })).read, body).toEqual([]);
    }
    const side = JSON.parse(await readFile(sidecar, 'utf8')) as { version: number; files: Record<string, unknown[]> };
    expect(side.version).toBe(2);
    side.files[rels[0]!] = [1, 2, 3, 4, 'not a sha256'];
    delete side.files[rels[2]!]![3];
    await writeFile(sidecar, JSON.stringify(side));
    expect((await digest(rels, { complete: true })).read).toEqual([rels[0], rels[2]]);
  });

  it('gives an unreadable file its stand-in digest, never stored, or throws without one', async () => {
    const gone = [...rels, 'eval/images/gone.jpg'];
    await expect(digest(gone)).rejects.toMatchObject({ code: 'ENOENT' });
    const unreadable = (err: NodeJS.ErrnoException) => `unreadable (${err.code})`;
    expect((await digest(gone, { unreadable })).digests[4]).toEqual({ rel: 'eval/images/gone.jpg', size: 0, sha256: 'unreadable (ENOENT)' });
    const side = JSON.parse(await readFile(sidecar, 'utf8')) as { files: Record<string, unknown> };
    expect(Object.keys(side.files).sort()).toEqual(rels);
  });

  it('works without a sidecar, reading every file each time', async () => {
    expect((await digest(rels, { sidecar: null })).read).toEqual(rels);
    expect((await digest(rels, { sidecar: null })).read).toEqual(rels);
  });
});
