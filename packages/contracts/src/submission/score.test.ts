import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAnswers, scoreSubmission } from './score.ts';
import { csvText, tempData } from '../testing/submission-files.ts';

let t: Awaited<ReturnType<typeof tempData>>;
beforeAll(async () => {
  t = await tempData(['a', 'b', 'c', 'd']);
});
afterAll(async () => {
  await t.cleanup();
});

describe('scoreSubmission', () => {
  it('scores by ImageID whatever the row order', async () => {
    const labels = await t.write('eval_labels.csv', csvText([['a', 0], ['b', 0], ['c', 5], ['d', 17]]));
    const sub = await t.write('sub.csv', csvText([['d', 17], ['c', 5], ['b', 5], ['a', 0]], { bom: true, crlf: true }));
    const s = await scoreSubmission(sub, labels);
    expect(s.n).toBe(4);
    expect(s.accuracy).toBe(0.75);
    // class 0: P 1 R 0.5 F1 2/3; class 5: P 0.5 R 1 F1 2/3; class 17: 1
    expect(s.macroF1).toBeCloseTo((2 / 3 + 2 / 3 + 1) / 3, 12);
    expect(s.confusion[0]![5]).toBe(1);
  });

  it('fails when the ids differ from the labels', async () => {
    const labels = await t.write('l2.csv', csvText([['a', 0], ['b', 0], ['c', 5]]));
    const sub = await t.write('s2.csv', csvText([['a', 0], ['b', 1], ['z', 2]]));
    await expect(scoreSubmission(sub, labels)).rejects.toThrow(/lacks 1 ImageIDs of the labels, e\.g\. c and has 1 ImageIDs the labels lack, e\.g\. z/);
  });

  it('fails on invalid answers, repeated ids and empty files', async () => {
    await expect(readAnswers(await t.write('b1.csv', csvText([['a', 'x']])), 'submission')).rejects.toThrow(/1 rows have an invalid ans, e\.g\. row 1 \(a\): "x" is not an integer/);
    await expect(readAnswers(await t.write('b2.csv', csvText([['a', 1], ['a', 2]])), 'labels file')).rejects.toThrow(/labels file .*b2\.csv lists 1 ImageIDs twice/);
    await expect(readAnswers(await t.write('b3.csv', 'ImageID,ans\n'), 'submission')).rejects.toThrow(/has no rows/);
    await expect(readAnswers(await t.write('b4.csv', 'id,label\na,1\n'), 'submission')).rejects.toThrow(/wrong header/);
  });
});
