import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCsv, writeCsv } from './csv.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csv-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('csv', () => {
  it('accepts a BOM and CRLF line ends', async () => {
    await writeFile(join(dir, 'a.csv'), '\uFEFFImageID,ans\r\nx.jpg,0\r\ny.jpg,3\r\n');
    expect(await readCsv(join(dir, 'a.csv'), ['ImageID', 'ans'])).toEqual([
      { ImageID: 'x.jpg', ans: '0' },
      { ImageID: 'y.jpg', ans: '3' },
    ]);
  });

  it('names the file and the expected columns on a wrong header', async () => {
    await writeFile(join(dir, 'b.csv'), 'id,answer\nx,0\n');
    await expect(readCsv(join(dir, 'b.csv'), ['ImageID', 'ans'])).rejects.toThrow(/b\.csv: wrong header.*ImageID,ans.*missing ImageID, ans/);
    await expect(readCsv(join(dir, 'none.csv'), ['a'])).rejects.toThrow(/none\.csv does not exist/);
  });

  it('writes what it reads', async () => {
    await writeCsv(join(dir, 'c.csv'), ['ImageID', 'ans'], [['a,b.jpg', 1]]);
    expect(await readFile(join(dir, 'c.csv'), 'utf8')).toBe('ImageID,ans\n"a,b.jpg",1\n');
    expect(await readCsv(join(dir, 'c.csv'), ['ImageID', 'ans'])).toEqual([{ ImageID: 'a,b.jpg', ans: '1' }]);
  });
});
