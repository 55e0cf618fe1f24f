import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPhotos } from './photos.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'detect-photos-'));
  const person = join(root, 'train', 'images', '000001_male_Asian_30');
  await mkdir(person, { recursive: true });
  for (const f of ['mask1.jpg', 'normal.PNG', 'incorrect_mask.jpeg', 'notes.txt', '._mask2.jpg', 'selfie.jpg']) await writeFile(join(person, f), 'x');
  await writeFile(join(root, 'train', 'images', '.DS_Store'), 'x');
  await mkdir(join(root, 'eval', 'images'), { recursive: true });
  for (const f of ['b.jpg', 'a.jpg', '.hidden.jpg']) await writeFile(join(root, 'eval', 'images', f), 'x');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('listPhotos', () => {
  it('lists train photos by kind and every eval image, sorted, without dot files or other files', async () => {
    const photos = await listPhotos(root);
    expect(photos.map((p) => [p.path, p.group])).toEqual([
      ['train/images/000001_male_Asian_30/incorrect_mask.jpeg', 'incorrect_mask'],
      ['train/images/000001_male_Asian_30/mask1.jpg', 'mask1'],
      ['train/images/000001_male_Asian_30/normal.PNG', 'normal'],
      ['train/images/000001_male_Asian_30/selfie.jpg', null],
      ['eval/images/a.jpg', 'eval'],
      ['eval/images/b.jpg', 'eval'],
    ]);
    expect(photos[0]!.file).toBe(join(root, 'train', 'images', '000001_male_Asian_30', 'incorrect_mask.jpeg'));
  });

  it('names each photo the same whichever way the data root is written: the path is the record\'s key', async () => {
    const paths = (await listPhotos(root)).map((p) => p.path);
    for (const same of [`${root}/`, join(root, 'train', '..'), relative(process.cwd(), root)]) {
      expect((await listPhotos(same)).map((p) => p.path), same).toEqual(paths);
    }
  });

  it('names a missing folder and the fix in one line', async () => {
    await expect(listPhotos(join(root, 'nowhere'))).rejects.toThrow(/nowhere\/train\/images: train\/images folder not found\. Fix: data\.root must be the folder holding train\/ and eval\//);
  });
});
