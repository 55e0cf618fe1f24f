import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataRootError, listDataRoot, listEvalImages, listTrainImages, photoName } from './data-root.ts';

let base: string;
let root: string;
const trainImages = () => join(root, 'train', 'images');

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'data-root-'));
  root = join(base, 'root');
  const person = join(trainImages(), '000002_male_Asian_30');
  await mkdir(person, { recursive: true });
  for (const f of ['normal.jpg', 'mask1.jpg', '._mask1.jpg', 'Mask2.jpg']) await writeFile(join(person, f), 'x');
  await mkdir(join(person, 'extra'));
  await writeFile(join(trainImages(), '.DS_Store'), 'x');
  await writeFile(join(trainImages(), 'notes.txt'), 'x');
  // A person folder kept elsewhere and linked in, as data sets often are.
  const elsewhere = join(base, 'linked-person');
  await mkdir(elsewhere);
  await writeFile(join(elsewhere, 'mask1.png'), 'x');
  await symlink(elsewhere, join(trainImages(), '000001_female_Asian_45'));
  await symlink(join(base, 'gone'), join(trainImages(), 'dangling'));
  const evalImages = join(root, 'eval', 'images');
  await mkdir(join(evalImages, 'sub'), { recursive: true });
  // Locale order (localeCompare, ICU) would give a.jpg, B.jpg, b.jpg, é.jpg, Z.jpg.
  for (const f of ['b.jpg', 'é.jpg', 'Z.jpg', 'a.jpg', 'B.jpg', '.hidden.jpg', '._a.jpg']) await writeFile(join(evalImages, f), 'x');
});
afterAll(() => rm(base, { recursive: true, force: true }));

describe('listTrainImages', () => {
  it('gives folders and stray files in code-unit order, without dot files, which it counts', async () => {
    const train = await listTrainImages(root);
    expect(train.dir).toBe(trainImages());
    expect(train.entries.map((e) => [e.name, e.isDir])).toEqual([
      ['000001_female_Asian_45', true],
      ['000002_male_Asian_30', true],
      ['dangling', false],
      ['notes.txt', false],
    ]);
    expect(train.hiddenFiles).toBe(1);
    const person = train.entries[1]!;
    if (!person.isDir) throw new Error('000002_male_Asian_30 is listed as a file');
    // 'M' (0x4d) sorts before 'e' and 'm': code units, not letters.
    expect(person.folder.entries.map((e) => [e.name, e.isDir])).toEqual([
      ['Mask2.jpg', false],
      ['extra', true],
      ['mask1.jpg', false],
      ['normal.jpg', false],
    ]);
    expect(person.folder.hiddenFiles).toBe(1);
    expect(person.folder.entries[2]!.path).toBe(join(trainImages(), '000002_male_Asian_30', 'mask1.jpg'));
  });

  it('lists a symlinked person folder through its link', async () => {
    const [linked] = (await listTrainImages(root)).entries;
    if (!linked?.isDir) throw new Error('the symlinked person folder is not listed as a folder');
    expect(linked.folder.dir).toBe(join(trainImages(), '000001_female_Asian_45'));
    expect(linked.folder.entries).toEqual([{ name: 'mask1.png', path: join(trainImages(), '000001_female_Asian_45', 'mask1.png'), isDir: false }]);
  });
});

describe('listEvalImages', () => {
  it('gives the files in code-unit order whatever the locale, leaving folders out and counting dot files', async () => {
    const evalImages = await listEvalImages(root);
    expect(evalImages.files.map((f) => f.name)).toEqual(['B.jpg', 'Z.jpg', 'a.jpg', 'b.jpg', 'é.jpg']);
    expect(evalImages.hiddenFiles).toBe(2);
  });
});

describe('a missing folder', () => {
  it('is named with the fix: data.root in the competition layout', async () => {
    const err = await listDataRoot(join(base, 'nowhere')).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DataRootError);
    const missing = join(base, 'nowhere', 'train', 'images');
    expect((err as DataRootError).path).toBe(missing);
    expect((err as Error).message).toBe(
      `${missing}: train/images folder not found. Fix: data.root must be the folder holding train/ and eval/ in the competition layout (train/train.csv, train/images/, eval/info.csv, eval/images/).`,
    );
  });

  it('names eval/images when only that is missing', async () => {
    const trainOnly = join(base, 'train-only');
    await mkdir(join(trainOnly, 'train', 'images'), { recursive: true });
    await expect(listDataRoot(trainOnly)).rejects.toThrow(`${join(trainOnly, 'eval', 'images')}: eval/images folder not found. Fix: data.root must be`);
  });
});

describe('photoName', () => {
  it('reads the kind from the name and the photo from the extension, in any case', () => {
    expect(photoName('mask1.JPG')).toEqual({ photo: true, kind: 'mask1' });
    expect(photoName('incorrect_mask.jpeg')).toEqual({ photo: true, kind: 'incorrect_mask' });
    expect(photoName('selfie.png')).toEqual({ photo: true, kind: null });
    expect(photoName('normal.gif')).toEqual({ photo: false, kind: 'normal' });
    expect(photoName('normal')).toEqual({ photo: false, kind: null });
  });
});
