import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { readPreprocessSummary, workLayout } from '@facemask/contracts';
import { fixtureConfig, makeFixture, makePeople, preprocessWith, type Fixture } from './test-utils/fixture.ts';

let f: Fixture;
afterEach(() => f?.cleanup());

describe('preprocess checks before caching', () => {
  it('refuses more folds than people, counted from train.csv, before any photo is hashed or cached', async () => {
    f = await makeFixture(makePeople(4), 2);
    const err = await preprocessWith(fixtureConfig(f, { folds: 5, dropAgeRanges: [[19, 19]] }), { quiet: true }).catch((e: Error) => e);
    expect((err as Error).message).toBe(
      `${join(f.root, 'train', 'train.csv')}: 3 people with photos (after preprocess.dropAgeRanges) for preprocess.folds 5. Fix: lower preprocess.folds or add people.`,
    );
    expect(existsSync(workLayout.imageStores(f.work))).toBe(false);
    expect(existsSync(workLayout.fingerprintSidecar(f.work))).toBe(false);
  });

  it('warns about a photo too small to hold a face, naming it', async () => {
    f = await makeFixture(makePeople(6), 2);
    const photo = join(f.root, 'train', 'images', f.folderOf(f.people[1]!), 'mask2.jpg');
    await writeFile(photo, await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).jpeg().toBuffer());
    const logs: string[] = [];
    await preprocessWith(fixtureConfig(f, { folds: 2 }), { quiet: true, log: (l) => logs.push(l) });
    const warning = `${photo} is 1x1 pixels, under 16 on a side: it holds no face and caches as a smear or blank; replace or remove it`;
    // the log names the photo where it lies; the summary, restored where the data root lies elsewhere, relative to the root
    expect(logs).toContain(`warning: ${warning}`);
    expect((await readPreprocessSummary(f.work)).warnings).toEqual([warning.replace(`${f.root}/`, '')]);
    expect(warning.replace(`${f.root}/`, '')).toMatch(/^train\/images\/.*\/mask2\.jpg is 1x1/);
  });
});
