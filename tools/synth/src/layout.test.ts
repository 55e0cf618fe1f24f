import { cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PHOTO_KINDS } from '@facemask/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from './generate.ts';
import { LayoutError, validateLayout } from './layout.ts';
import { smallOptions, tempDir } from './test-utils/small.ts';

let dir: { path: string; cleanup: () => Promise<void> };
let good: string;
let n = 0;

beforeAll(async () => {
  dir = await tempDir('layout');
  good = join(dir.path, 'good');
  await generateDataset(smallOptions(good, { people: 5, seed: 21 }));
});
afterAll(() => dir.cleanup());

/** A fresh copy of the valid data set to break. */
async function copy(): Promise<{ root: string; folders: string[]; evalIds: string[] }> {
  const root = join(dir.path, `case${n++}`);
  await cp(good, root, { recursive: true });
  const lines = (await readFile(join(root, 'train', 'train.csv'), 'utf8')).trim().split('\n').slice(1);
  const info = (await readFile(join(root, 'eval', 'info.csv'), 'utf8')).trim().split('\n').slice(1);
  return { root, folders: lines.map((l) => l.split(',')[4]!), evalIds: info.map((l) => l.split(',')[0]!) };
}

async function expectLayoutError(root: string, ...patterns: RegExp[]): Promise<void> {
  const err = await validateLayout(root).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LayoutError);
  for (const p of patterns) expect((err as Error).message).toMatch(p);
}

describe('validateLayout', () => {
  it('counts a valid folder', async () => {
    const r = await validateLayout(good);
    expect(r.train.people).toBe(3);
    expect(r.train.photos).toBe(21);
    expect(r.train.classCounts.reduce((a, b) => a + b, 0)).toBe(21);
    expect(r.eval.images).toBe(14);
    expect(r.eval.classCounts!.reduce((a, b) => a + b, 0)).toBe(14);
    // Per person: five worn, one incorrect, one without.
    const byMask = [0, 1, 2].map((m) => r.train.classCounts.slice(m * 6, m * 6 + 6).reduce((a, b) => a + b, 0));
    expect(byMask).toEqual([15, 3, 3]);
  });

  it('ignores dot files (OS litter, temporary files of atomic writes)', async () => {
    const { root, folders } = await copy();
    await writeFile(join(root, 'train', 'images', folders[0]!, '._mask1.jpg'), 'x');
    await writeFile(join(root, 'eval', 'images', '.DS_Store'), 'x');
    await expect(validateLayout(root)).resolves.toMatchObject({ train: { people: 3 } });
  });

  it('catches a missing photo, naming the folder and the photo', async () => {
    const { root, folders } = await copy();
    await rm(join(root, 'train', 'images', folders[1]!, 'mask3.jpg'));
    await expectLayoutError(root, new RegExp(folders[1]!), /lacks mask3/);
  });

  it('catches a malformed folder name', async () => {
    const { root, folders } = await copy();
    const bad = folders[0]!.replace('_Asian_', '-Asian-');
    const csv = join(root, 'train', 'train.csv');
    await writeFile(csv, (await readFile(csv, 'utf8')).replace(`,${folders[0]}`, `,${bad}`));
    await rename(join(root, 'train', 'images', folders[0]!), join(root, 'train', 'images', bad));
    await expectLayoutError(root, /train\.csv row 2/, new RegExp(bad), /<id>_<gender>_<race>_<age>/);
  });

  it('catches a folder name that disagrees with its CSV row', async () => {
    const { root, folders } = await copy();
    const csv = join(root, 'train', 'train.csv');
    const [, age] = /_(\d+)$/.exec(folders[0]!)!;
    const text = await readFile(csv, 'utf8');
    const line = text.split('\n')[1]!;
    await writeFile(csv, text.replace(line, line.replace(`,${age},`, `,${Number(age) + 1},`)));
    await expectLayoutError(root, /age column/, /make them agree/);
  });

  it('catches a stray file in a person folder and a folder missing from train.csv', async () => {
    const a = await copy();
    await writeFile(join(a.root, 'train', 'images', a.folders[0]!, 'mask6.jpg'), 'x');
    await expectLayoutError(a.root, /mask6\.jpg is not one of/);
    const b = await copy();
    await mkdir(join(b.root, 'train', 'images', '999999_male_Asian_40'));
    await expectLayoutError(b.root, /999999_male_Asian_40 is not listed in/);
  });

  it('fails on an interrupted run (CSVs are written last)', async () => {
    const { root } = await copy();
    await rm(join(root, 'train', 'train.csv'));
    await expectLayoutError(root, /train\.csv is missing/);
  });

  it('catches a wrong header', async () => {
    const { root } = await copy();
    const info = join(root, 'eval', 'info.csv');
    await writeFile(info, (await readFile(info, 'utf8')).replace('ImageID,ans', 'image,ans'));
    await expectLayoutError(root, /info\.csv/, /wrong header/, /ImageID/);
  });

  it('catches a missing eval image and labels that do not cover info.csv', async () => {
    const a = await copy();
    await rm(join(a.root, 'eval', 'images', a.evalIds[3]!));
    await expectLayoutError(a.root, /info\.csv row 5/, new RegExp(`${a.evalIds[3]!.replace('.', '\\.')} does not exist`));
    const b = await copy();
    const labels = join(b.root, 'eval_labels.csv');
    const text = await readFile(labels, 'utf8');
    await writeFile(labels, text.split('\n').filter((l) => !l.startsWith(b.evalIds[0]!)).join('\n'));
    await expectLayoutError(b.root, /eval_labels\.csv has no label for 1 image/, new RegExp(b.evalIds[0]!));
    const c = await copy();
    await writeFile(join(c.root, 'eval_labels.csv'), (await readFile(join(c.root, 'eval_labels.csv'), 'utf8')) + 'feedface.jpg,3\n');
    await expectLayoutError(c.root, /feedface\.jpg is not in/);
  });

  it('accepts the extensions the real data set uses', async () => {
    const { root, folders } = await copy();
    const f = join(root, 'train', 'images', folders[2]!);
    await rename(join(f, 'normal.jpg'), join(f, 'normal.png'));
    await rename(join(f, 'mask2.jpg'), join(f, 'mask2.jpeg'));
    await expect(validateLayout(root)).resolves.toMatchObject({ train: { photos: 3 * PHOTO_KINDS.length } });
  });

  it('names a missing root', async () => {
    await expectLayoutError(join(dir.path, 'nope'), /nope is not a folder/);
  });
});
