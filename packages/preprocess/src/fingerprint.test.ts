import { readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintDataRoot, fingerprintIfUnchanged, hashDataFiles } from './fingerprint.ts';
import { makeFixture, makePeople, type Fixture } from './test-utils/fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await makeFixture(makePeople(3), 2);
});
afterEach(() => f.cleanup());

describe('fingerprintDataRoot', () => {
  it('hashes every file under train/ and eval/ with its content hash, in path order', async () => {
    const files = await hashDataFiles(f.root);
    expect(files).toHaveLength(3 * 7 + 2 + 2);
    expect(files.map((x) => x.rel)).toEqual([...files.map((x) => x.rel)].sort());
    const csv = files.find((x) => x.rel === 'train/train.csv')!;
    expect(csv.sha256).toBe(createHash('sha256').update(await readFile(join(f.root, 'train/train.csv'))).digest('hex'));
    expect(files.some((x) => x.rel === 'eval/info.csv')).toBe(true);
  });

  it('is stable, and changes with content, a rename, a new file; dot files do not count', async () => {
    const a = await fingerprintDataRoot(f.root);
    expect(await fingerprintDataRoot(f.root)).toBe(a);
    const photo = join(f.root, 'train/images', f.folderOf(f.people[0]!), 'mask1.jpg');
    await writeFile(join(f.root, 'train/images', f.folderOf(f.people[0]!), '._mask1.jpg'), 'mac metadata');
    expect(await fingerprintDataRoot(f.root)).toBe(a);
    const original = await readFile(photo);
    const changed = Buffer.from(original);
    changed[changed.length - 3] = changed[changed.length - 3]! ^ 1;
    await writeFile(photo, changed);
    const b = await fingerprintDataRoot(f.root);
    expect(b).not.toBe(a);
    await writeFile(photo, original);
    expect(await fingerprintDataRoot(f.root)).toBe(a);
    await rename(photo, photo.replace('mask1.jpg', 'mask1.jpeg'));
    expect(await fingerprintDataRoot(f.root)).not.toBe(a);
    await rename(photo.replace('mask1.jpg', 'mask1.jpeg'), photo);
    await writeFile(join(f.root, 'eval', 'notes.txt'), 'x');
    expect(await fingerprintDataRoot(f.root)).not.toBe(a);
  });

  it('reuses sidecar hashes while (size, mtime) match and rehashes when they change', async () => {
    const cacheFile = join(f.work, 'fp.json');
    const plain = await fingerprintDataRoot(f.root);
    expect(await fingerprintDataRoot(f.root, { cacheFile })).toBe(plain);
    const side = JSON.parse(await readFile(cacheFile, 'utf8')) as { files: Record<string, [number, number, number, number, string]> };
    // Plant a wrong hash: it is used as long as size and mtime still match (that is the speed-up) ...
    side.files['train/train.csv']![4] = '0'.repeat(64);
    await writeFile(cacheFile, JSON.stringify(side));
    expect(await fingerprintDataRoot(f.root, { cacheFile })).not.toBe(plain);
    // ... and dropped once the file's mtime changes.
    const later = new Date(Date.now() + 5000);
    await utimes(join(f.root, 'train/train.csv'), later, later);
    expect(await fingerprintDataRoot(f.root, { cacheFile })).toBe(plain);
  });

  it('notices a same-size replacement that kept the old mtime (cp -p, touch -r): ctime and inode differ', async () => {
    const cacheFile = join(f.work, 'fp.json');
    const photo = join(f.root, 'train/images', f.folderOf(f.people[0]!), 'mask1.jpg');
    const when = new Date('2024-01-02T03:04:05.000Z');
    await utimes(photo, when, when);
    const before = await fingerprintDataRoot(f.root, { cacheFile });
    expect(await fingerprintIfUnchanged(f.root, cacheFile)).toBe(before);
    const other = Buffer.from(await readFile(photo));
    other[other.length - 3] = other[other.length - 3]! ^ 1;
    // What `cp -p new mask1.jpg` leaves: other bytes, the same size and the old mtime.
    const copy = join(f.work, 'replacement.jpg');
    await writeFile(copy, other);
    await utimes(copy, when, when);
    await rename(copy, photo);
    expect((await stat(photo)).mtimeMs).toBe(when.getTime());
    expect(await fingerprintIfUnchanged(f.root, cacheFile)).toBeNull();
    const after = await fingerprintDataRoot(f.root, { cacheFile });
    expect(after).not.toBe(before);
    expect(after).toBe(await fingerprintDataRoot(f.root));
    // Rewritten in place (same inode) with the mtime set back: ctime still tells.
    await writeFile(photo, await readFile(photo).then((b) => Buffer.from(b.map((x, i) => (i === b.length - 3 ? x ^ 1 : x)))));
    await utimes(photo, when, when);
    expect(await fingerprintIfUnchanged(f.root, cacheFile)).toBeNull();
    expect(await fingerprintDataRoot(f.root, { cacheFile })).toBe(before);
  });
});
