import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSubmission } from './write.ts';
import { tempData } from '@facemask/contracts/testing/submission-files';
import { peaked, preds } from '@facemask/contracts/testing';

let t: Awaited<ReturnType<typeof tempData>>;
beforeAll(async () => {
  t = await tempData(['c.jpg', 'a.jpg', 'b.jpg']);
});
afterAll(async () => {
  await t.cleanup();
});

describe('writeSubmission', () => {
  it('writes argmax classes in info.csv order, whatever the prediction order', async () => {
    const p = preds('ensemble/round1', 'eval', ['a.jpg', 'b.jpg', 'c.jpg'], [peaked(17, 0.6), peaked(0, 0.9), peaked(8, 0.4)]);
    const out = join(t.dir, 'work', 'submission', 'submission.csv');
    const r = await writeSubmission(p, t.info, out);
    expect(await readFile(out, 'utf8')).toBe('ImageID,ans\nc.jpg,8\na.jpg,17\nb.jpg,0\n');
    expect(r.rows).toBe(3);
    expect(r.counts[8]).toBe(1);
    expect(r.counts[17]).toBe(1);
    expect(r.counts[0]).toBe(1);
    // atomic write: no temporary files left beside it
    expect(await readdir(dirname(out))).toEqual(['submission.csv']);
  });

  it('refuses predictions that miss or add ImageIDs, leaving no file', async () => {
    const short = preds('ensemble/round2', 'eval', ['a.jpg', 'b.jpg'], [peaked(1, 1), peaked(1, 1)]);
    const out = join(t.dir, 'bad', 'submission.csv');
    await expect(writeSubmission(short, t.info, out)).rejects.toThrow(/ensemble\/round2 eval predictions lack 1 ids, e\.g\. c\.jpg/);
    const more = preds('ensemble/round2', 'eval', ['a.jpg', 'b.jpg', 'c.jpg', 'z.jpg'], [peaked(1, 1), peaked(1, 1), peaked(1, 1), peaked(1, 1)]);
    await expect(writeSubmission(more, t.info, out)).rejects.toThrow(/have 1 unexpected ids, e\.g\. z\.jpg/);
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });

  it('refuses out-of-fold predictions', async () => {
    const oof = preds('ensemble/round1', 'oof', ['a.jpg'], [peaked(1, 1)], [1]);
    await expect(writeSubmission(oof, t.info, join(t.dir, 'x.csv'))).rejects.toThrow(/holds oof predictions/);
  });
});
