import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infoCsvPath, readEvalIds } from './eval-ids.ts';

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
    expect(infoCsvPath('/data')).toBe(join('/data', 'eval', 'info.csv'));
  });
  it('rejects repeated, empty or missing ids and a missing file', async () => {
    await expect(readEvalIds(await info('ImageID,ans\na,0\nb,0\na,0\n'))).rejects.toThrow(/lists 1 ImageIDs twice, e\.g\. a/);
    await expect(readEvalIds(await info('ImageID,ans\na,0\n,0\n'))).rejects.toThrow(/row 2 has an empty ImageID/);
    await expect(readEvalIds(await info('ImageID,ans\n'))).rejects.toThrow(/has no rows/);
    await expect(readEvalIds(await info('id,ans\na,0\n'))).rejects.toThrow(/wrong header/);
    await expect(readEvalIds(join(dir, 'none.csv'))).rejects.toThrow(/none\.csv does not exist/);
  });
});
