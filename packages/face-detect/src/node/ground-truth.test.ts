import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGroundTruth } from './ground-truth.ts';

/*
 * A dev set's ground truth names each photo as face_boxes.csv and the detection records do
 * (relative to the set's root, '/' between parts), so a box is found for its photo.
 */
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ground-truth-'));
  await mkdir(join(root, 'train'), { recursive: true });
  await mkdir(join(root, 'eval'), { recursive: true });
  await writeFile(join(root, 'train', 'train.csv'), 'id,gender,race,age,path\n000001,female,Asian,45,000001_female_Asian_45\n');
  await writeFile(join(root, 'eval', 'info.csv'), 'ImageID,ans\na.jpg,0\nb.jpg,0\n');
  // b.jpg has no label: no mask state to score against, so it is left out
  await writeFile(join(root, 'eval_labels.csv'), 'ImageID,ans\na.jpg,10\n');
  await writeFile(join(root, 'face_boxes.csv'), 'path,x,y,width,height\ntrain/images/000001_female_Asian_45/normal.jpg,1,2,30,30\neval/images/a.jpg,5,6,40,40\n');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('readGroundTruth', () => {
  it('lists the 7 photos of each train person and each labelled eval photo, with kind, mask state and face square', async () => {
    const photos = await readGroundTruth(root);
    expect(photos.map((p) => [p.path, p.kind, p.mask])).toEqual([
      ['train/images/000001_female_Asian_45/mask1.jpg', 'mask1', 'wear'],
      ['train/images/000001_female_Asian_45/mask2.jpg', 'mask2', 'wear'],
      ['train/images/000001_female_Asian_45/mask3.jpg', 'mask3', 'wear'],
      ['train/images/000001_female_Asian_45/mask4.jpg', 'mask4', 'wear'],
      ['train/images/000001_female_Asian_45/mask5.jpg', 'mask5', 'wear'],
      ['train/images/000001_female_Asian_45/incorrect_mask.jpg', 'incorrect_mask', 'incorrect'],
      ['train/images/000001_female_Asian_45/normal.jpg', 'normal', 'not_wear'],
      // class 10: incorrect, female, 30-59
      ['eval/images/a.jpg', null, 'incorrect'],
    ]);
    expect(photos.map((p) => p.file)).toEqual(photos.map((p) => join(root, ...p.path.split('/'))));
    expect(photos.filter((p) => p.face).map((p) => [p.path, p.face])).toEqual([
      ['train/images/000001_female_Asian_45/normal.jpg', { x: 1, y: 2, width: 30, height: 30 }],
      ['eval/images/a.jpg', { x: 5, y: 6, width: 40, height: 40 }],
    ]);
  });

  it('names the photos the same with the root written another way', async () => {
    const paths = (await readGroundTruth(root)).map((p) => p.path);
    expect((await readGroundTruth(`${root}/`)).map((p) => p.path)).toEqual(paths);
    expect((await readGroundTruth(join(root, 'eval', '..'))).map((p) => p.path)).toEqual(paths);
  });
});
