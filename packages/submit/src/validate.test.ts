import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvText, tempData } from '@facemask/contracts/testing/submission-files';
import { validateSubmission } from './validate.ts';

const ids = ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg'];
let t: Awaited<ReturnType<typeof tempData>>;
beforeAll(async () => {
  t = await tempData(ids);
});
afterAll(async () => {
  await t.cleanup();
});

async function check(text: string) {
  return validateSubmission(await t.write('sub.csv', text), t.info);
}

describe('validateSubmission', () => {
  it('accepts a complete submission in info.csv order, with or without BOM and CRLF', async () => {
    const rows = ids.map((id, i) => [id, i * 5]);
    expect(await check(csvText(rows))).toEqual({ ok: true, problems: [] });
    expect(await check(csvText(rows, { bom: true, crlf: true }))).toEqual({ ok: true, problems: [] });
  });

  it('reports missing and extra ids', async () => {
    const r = await check(csvText([['a.jpg', 1], ['x.jpg', 2], ['c.jpg', 3]]));
    expect(r.ok).toBe(false);
    expect(r.problems).toContain('2 of the 4 info.csv ImageIDs are missing, e.g. b.jpg, d.jpg');
    expect(r.problems).toContain('1 ImageIDs are not in info.csv, e.g. x.jpg');
    expect(r.problems.some((p) => /order/.test(p))).toBe(false);
  });

  it('reports duplicate ids with their rows', async () => {
    const r = await check(csvText([['a.jpg', 1], ['b.jpg', 2], ['b.jpg', 2], ['c.jpg', 3], ['d.jpg', 0]]));
    expect(r.problems).toEqual(['1 ImageIDs appear more than once, e.g. b.jpg (rows 2, 3)']);
  });

  it('reports bad values: empty, non-integer, out of range', async () => {
    const r = await check(csvText([['a.jpg', ''], ['b.jpg', '2.0'], ['c.jpg', 18], ['d.jpg', -1]]));
    expect(r.ok).toBe(false);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^4 rows have an invalid ans/);
    expect(r.problems[0]).toMatch(/row 1 \(a\.jpg\): "" is empty/);
    expect(r.problems[0]).toMatch(/row 2 \(b\.jpg\): "2\.0" is not an integer/);
    expect(r.problems[0]).toMatch(/row 3 \(c\.jpg\): "18" is not in 0\.\.17/);
    expect(r.problems[0]).toMatch(/; …$/);
  });

  it('reports rows out of info.csv order', async () => {
    const r = await check(csvText([['a.jpg', 1], ['c.jpg', 2], ['b.jpg', 3], ['d.jpg', 4]]));
    expect(r.problems).toEqual(['rows are not in info.csv order: row 2 holds c.jpg where info.csv order puts b.jpg']);
  });

  it('reports a wrong header', async () => {
    const swapped = await check(csvText(ids.map((id) => [3, id]), { header: 'ans,ImageID' }));
    expect(swapped.problems[0]).toMatch(/the header is "ans,ImageID": expected exactly "ImageID,ans"/);
    const renamed = await check(csvText(ids.map((id) => [id, 3]), { header: 'id,label' }));
    expect(renamed.ok).toBe(false);
    expect(renamed.problems[0]).toMatch(/wrong header "id,label".*missing ImageID, ans/);
    const wide = await check(csvText(ids.map((id) => [id, 3, 'x']), { header: 'ImageID,ans,note' }));
    expect(wide.problems[0]).toMatch(/the header is "ImageID,ans,note"/);
  });

  it('reports a missing, empty, header-only or ragged file', async () => {
    expect((await validateSubmission(`${t.dir}/nope.csv`, t.info)).problems[0]).toMatch(/nope\.csv does not exist/);
    expect((await check('')).problems[0]).toMatch(/is empty/);
    expect((await check('ImageID,ans\n')).problems[0]).toMatch(/a header but no rows: expected 4 rows/);
    const ragged = await check('ImageID,ans\na.jpg,1\nb.jpg,2,3\n');
    expect(ragged.ok).toBe(false);
    expect(ragged.problems[0]).toMatch(/not a valid CSV/);
  });

  it('reports empty ImageIDs', async () => {
    const r = await check(csvText([['a.jpg', 1], ['', 2], ['b.jpg', 3], ['c.jpg', 1], ['d.jpg', 1]]));
    expect(r.problems).toEqual(['1 rows have an empty ImageID: rows 2']);
  });

  it('throws when info.csv itself is unusable', async () => {
    await expect(validateSubmission(await t.write('s.csv', csvText([])), `${t.dir}/missing-info.csv`)).rejects.toThrow(/missing-info\.csv does not exist/);
    const dup = await t.write('dup-info.csv', 'ImageID,ans\na.jpg,0\na.jpg,0\n');
    await expect(validateSubmission(await t.write('s.csv', csvText([])), dup)).rejects.toThrow(/lists 1 ImageIDs twice, e\.g\. a\.jpg/);
  });
});
