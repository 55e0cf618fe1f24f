import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvalIds } from './eval-ids.ts';
import { describeIdMismatch, diffIds } from './ids.ts';
import { dataLayout } from './layout.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evalids-'));
  await mkdir(join(dir, 'eval'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function info(text: string): Promise<string> {
  const p = join(dir, `info-${Math.random().toString(36).slice(2)}.csv`);
  await writeFile(p, text);
  return p;
}

describe('readEvalIds', () => {
  it('reads ImageIDs in file order, accepting a BOM and CRLF', async () => {
    expect(await readEvalIds(await info('\uFEFFImageID,ans\r\nz.jpg,0\r\na.jpg,0\r\n'))).toEqual(['z.jpg', 'a.jpg']);
    expect(dataLayout.infoCsv('/data')).toBe(join('/data', 'eval', 'info.csv'));
  });
  it('rejects repeated, empty or missing ids and a missing file', async () => {
    await expect(readEvalIds(await info('ImageID,ans\na,0\nb,0\na,0\n'))).rejects.toThrow(/lists 1 ImageIDs twice, e\.g\. a/);
    await expect(readEvalIds(await info('ImageID,ans\na,0\n,0\n'))).rejects.toThrow(/row 2 has an empty ImageID/);
    await expect(readEvalIds(await info('ImageID,ans\n'))).rejects.toThrow(/has no rows/);
    await expect(readEvalIds(await info('id,ans\na,0\n'))).rejects.toThrow(/wrong header/);
    await expect(readEvalIds(join(dir, 'none.csv'))).rejects.toThrow(/none\.csv does not exist/);
  });
});

describe('id helpers', () => {
  it('diffs id lists both ways, keeping each side in its own order', () => {
    expect(diffIds(['d', 'a', 'x'], ['a', 'b', 'c', 'd'])).toEqual({ missing: ['b', 'c'], extra: ['x'] });
    expect(diffIds(['b', 'a'], ['a', 'b'])).toEqual({ missing: [], extra: [] });
  });

  it('describes a mismatch, or returns null when there is none', () => {
    expect(describeIdMismatch('fold-3 eval predictions', { missing: ['a'], extra: [] }, 'retrain that fold')).toBe(
      'fold-3 eval predictions lack 1 ids, e.g. a: retrain that fold',
    );
    expect(describeIdMismatch('x', { missing: ['a'], extra: ['q', 'r'] }, 'fix it')).toBe('x lack 1 ids, e.g. a and have 2 unexpected ids, e.g. q, r: fix it');
    expect(describeIdMismatch('x', { missing: [], extra: [] }, 'fix it')).toBeNull();
  });
});
