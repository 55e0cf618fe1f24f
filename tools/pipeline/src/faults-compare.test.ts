import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWork } from './faults.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faults-compare-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function work(name: string, summary: object, digest: string, text: string): Promise<string> {
  const w = join(dir, name);
  await mkdir(join(w, 'preprocess'), { recursive: true });
  await writeFile(join(w, 'preprocess', 'summary.json'), JSON.stringify({ kind: 'preprocess/summary', version: 1, data: summary, sha256: digest }));
  await writeFile(join(w, 'preprocess', 'summary.txt'), text);
  await mkdir(join(w, 'report'), { recursive: true });
  const run = { target: 'report:run', seconds: digest === '1'.repeat(64) ? 3 : 4, paramsHash: digest };
  await writeFile(join(w, 'report', 'run.json'), JSON.stringify({ kind: 'run/record', version: 1, data: run, sha256: digest }));
  return w;
}

describe('compareWork', () => {
  it("ignores what a killed and resumed run may do differently: timings, the envelope's digest of them, a store reused instead of built, crops taken from detect or decoded", async () => {
    const line = (train: string, ev: string) => `  image cache 32x32x3 (centre crop 96): train 56 ${train}, eval 14 ${ev}, pixels in /w/.cache/images\n`;
    const a = await work('a', { seconds: 1.5, cache: { train: { count: 56, reused: false }, eval: { count: 14, reused: false } } }, '1'.repeat(64), line('built', 'built'));
    const b = await work('b', { seconds: 2.5, cache: { train: { count: 56, reused: false }, eval: { count: 14, reused: true } } }, '2'.repeat(64), line('built', 'reused'));
    expect(await compareWork(a, b)).toEqual([]);
    // built from detect's crops in one run, by decoding in the other
    const crops = (n: number) => `built (${n} crops from detect's decode)`;
    const d = await work('d', { seconds: 2.5, cache: { train: { count: 56, reused: false }, eval: { count: 14, reused: false } } }, '2'.repeat(64), line(crops(56), crops(14)));
    expect(await compareWork(a, d)).toEqual([]);
    const c = await work('c', { seconds: 1.5, cache: { train: { count: 55, reused: false }, eval: { count: 14, reused: false } } }, '1'.repeat(64), line('built', 'built').replace('56', '55'));
    expect(await compareWork(a, c)).toEqual(['preprocess/summary.json: differs', 'preprocess/summary.txt: differs']);
  });
});
