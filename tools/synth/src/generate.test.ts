import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PHOTO_KINDS, encodeClass, maskOfKind, ageBand, parseCsv } from '@facemask/contracts';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERATOR_VERSION, generateDataset, matchesSynthOptions, MARKER_FILE, readSynthMarker, type SynthSummary } from './generate.ts';
import { validateLayout } from './layout.ts';
import { evalImageName, parseFolderName } from './names.ts';
import { drawPerson } from './person.ts';
import { listFiles, smallOptions, tempDir } from './test-utils/small.ts';

let dir: { path: string; cleanup: () => Promise<void> };
let out: string;
let summary: SynthSummary;

beforeAll(async () => {
  dir = await tempDir('gen');
  out = join(dir.path, 'a');
  summary = await generateDataset(smallOptions(out, { concurrency: 3 }));
});
afterAll(() => dir.cleanup());

describe('generateDataset', () => {
  it('writes the competition layout with a 60/40 split of people', async () => {
    const train = await readFile(join(out, 'train', 'train.csv'), 'utf8');
    expect(train.split('\n')[0]).toBe('id,gender,race,age,path');
    const rows = parseCsv(train, 'train.csv', ['id', 'gender', 'race', 'age', 'path']);
    expect(rows).toHaveLength(3);
    expect(summary.trainPeople).toHaveLength(3);
    expect(summary.evalPeople).toHaveLength(2);
    for (const r of rows) {
      expect(r.id).toMatch(/^\d{6}$/);
      expect(r.race).toBe('Asian');
      expect(['male', 'female']).toContain(r.gender);
      expect(r.path).toBe(`${r.id}_${r.gender}_Asian_${r.age}`);
      expect(parseFolderName(r.path!)).not.toBeNull();
      const files = (await listFiles(join(out, 'train', 'images', r.path!))).sort();
      expect(files).toEqual(PHOTO_KINDS.map((k) => `${k}.jpg`).sort());
    }
    const info = await readFile(join(out, 'eval', 'info.csv'), 'utf8');
    expect(info.split('\n')[0]).toBe('ImageID,ans');
    const infoRows = parseCsv(info, 'info.csv', ['ImageID', 'ans']);
    expect(infoRows).toHaveLength(14);
    expect(infoRows.every((r) => /^[0-9a-f]{40}\.jpg$/.test(r.ImageID!) && r.ans === '0')).toBe(true);
    expect((await listFiles(join(out, 'eval', 'images'))).sort()).toEqual(infoRows.map((r) => r.ImageID).sort());

    // the face square of every photo, inside the photo
    const boxes = parseCsv(await readFile(join(out, 'face_boxes.csv'), 'utf8'), 'face_boxes.csv', ['path', 'x', 'y', 'width', 'height']);
    expect(boxes.map((b) => b.path).sort()).toEqual([
      ...rows.flatMap((r) => PHOTO_KINDS.map((k) => `train/images/${r.path}/${k}.jpg`)),
      ...infoRows.map((r) => `eval/images/${r.ImageID}`),
    ].sort());
    for (const b of boxes) {
      const [x, y, w, h] = [b.x, b.y, b.width, b.height].map(Number) as [number, number, number, number];
      expect(w).toBe(h);
      expect(w).toBeGreaterThan(96 * 0.5);
      expect(x + w / 2).toBeGreaterThan(0);
      expect(x + w / 2).toBeLessThan(96);
      expect(y + h / 2).toBeGreaterThan(0);
      expect(y + h / 2).toBeLessThan(128);
    }

    const report = await validateLayout(out);
    expect(report.train).toMatchObject({ people: 3, photos: 21 });
    expect(report.eval.images).toBe(14);
    expect(report.train.classCounts).toEqual(summary.trainClassCounts);
    expect(report.eval.classCounts).toEqual(summary.evalClassCounts);
  });

  it('writes JPEGs of the requested size', async () => {
    const [first] = await listFiles(join(out, 'train', 'images'));
    const meta = await sharp(join(out, 'train', 'images', first!)).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 96, height: 128, channels: 3 });
    const evalName = summary.evalImages[0]!.imageId;
    expect(await sharp(join(out, 'eval', 'images', evalName)).metadata()).toMatchObject({ format: 'jpeg', width: 96, height: 128 });
  });

  it('labels train folders and eval images with the drawn attributes', async () => {
    const rows = parseCsv(await readFile(join(out, 'train', 'train.csv'), 'utf8'), 'train.csv', ['id', 'gender', 'race', 'age']);
    for (const r of rows) {
      const p = drawPerson(7, Number(r.id));
      expect(r.gender).toBe(p.gender === 0 ? 'male' : 'female');
      expect(Number(r.age)).toBe(p.age);
    }
    const info = parseCsv(await readFile(join(out, 'eval', 'info.csv'), 'utf8'), 'info.csv', ['ImageID']);
    const labels = parseCsv(await readFile(join(out, 'eval_labels.csv'), 'utf8'), 'eval_labels.csv', ['ImageID', 'ans']);
    expect(labels.map((l) => l.ImageID)).toEqual(info.map((r) => r.ImageID));
    const byName = new Map(summary.evalImages.map((e) => [e.imageId, e]));
    const evalPeople = new Set<number>();
    for (const l of labels) {
      const e = byName.get(l.ImageID!)!;
      expect(summary.evalPeople).toContain(e.personId);
      evalPeople.add(e.personId);
      const p = drawPerson(7, e.personId);
      expect(Number(l.ans)).toBe(encodeClass(maskOfKind(e.kind), p.gender, ageBand(p.age)));
      expect(l.ImageID).toBe(evalImageName(7, e.personId, e.kind));
    }
    expect(evalPeople.size).toBe(2);
    // Shuffled across people: info.csv does not list one person's seven photos back to back.
    const owners = labels.map((l) => byName.get(l.ImageID!)!.personId);
    expect(owners.slice(0, 7).every((o) => o === owners[0])).toBe(false);
  });

  it('is byte-identical for the same seed and options, whatever the concurrency', async () => {
    const b = join(dir.path, 'b');
    await generateDataset(smallOptions(b, { concurrency: 1 }));
    const files = await listFiles(out);
    expect(await listFiles(b)).toEqual(files);
    expect(files).toContain(MARKER_FILE);
    for (const f of files) expect(Buffer.compare(await readFile(join(out, f)), await readFile(join(b, f))), f).toBe(0);
  });

  it('differs for another seed', async () => {
    const c = join(dir.path, 'c');
    const other = await generateDataset(smallOptions(c, { seed: 8 }));
    expect(other.evalImages.map((e) => e.imageId)).not.toEqual(summary.evalImages.map((e) => e.imageId));
    const hashes = async (root: string): Promise<Set<string>> => {
      const files = (await listFiles(root)).filter((f) => f.endsWith('.jpg'));
      return new Set(await Promise.all(files.map(async (f) => createHash('sha256').update(await readFile(join(root, f))).digest('hex'))));
    };
    const a = await hashes(out);
    const shared = [...(await hashes(c))].filter((h) => a.has(h));
    expect(a.size).toBe(35);
    expect(shared).toEqual([]);
  });

  it('refuses a non-empty folder it did not write, unless told to overwrite', async () => {
    const foreign = join(dir.path, 'foreign');
    await mkdir(foreign, { recursive: true });
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    await expect(generateDataset(smallOptions(foreign, { people: 1 }))).rejects.toThrow(/not empty.*--overwrite/);
    await generateDataset(smallOptions(foreign, { people: 5, overwrite: true }));
    expect((await validateLayout(foreign)).train.people).toBe(3);
    expect(await readFile(join(foreign, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('records its version and options, so a stale folder can be told apart', async () => {
    const { out: _out, ...options } = smallOptions(out);
    expect(await readSynthMarker(out)).toMatchObject({ version: GENERATOR_VERSION, seed: 7, people: 5, cues: 'subtle' });
    expect(await matchesSynthOptions(out, options)).toBe(true);
    expect(await matchesSynthOptions(out, { ...options, cues: 'clear' })).toBe(false);
    expect(await matchesSynthOptions(out, { ...options, people: 6 })).toBe(false);
    expect(await matchesSynthOptions(join(dir.path, 'nowhere'), options)).toBe(false);
  });

  it('draws other faces, same labels, with clear cues', async () => {
    const s = join(dir.path, 's');
    const clear = await generateDataset(smallOptions(s, { cues: 'clear' }));
    expect(clear.evalImages).toEqual(summary.evalImages);
    const photo = join('train', 'images', (await readdir(join(out, 'train', 'images')))[0]!, 'normal.jpg');
    expect(Buffer.compare(await readFile(join(out, photo)), await readFile(join(s, photo)))).not.toBe(0);
  });

  it('replaces its own earlier output without --overwrite', async () => {
    const d = join(dir.path, 'd');
    await generateDataset(smallOptions(d, { people: 5 }));
    await generateDataset(smallOptions(d, { people: 2, evalFraction: 0 }));
    const report = await validateLayout(d);
    expect(report.train.people).toBe(2);
    expect(report.eval.images).toBe(0);
  });

  it('rejects bad options with a message naming the option', async () => {
    await expect(generateDataset(smallOptions(join(dir.path, 'x'), { people: 0 }))).rejects.toThrow(/people must be/);
    await expect(generateDataset(smallOptions(join(dir.path, 'x'), { evalFraction: 1 }))).rejects.toThrow(/evalFraction/);
    await expect(generateDataset(smallOptions(join(dir.path, 'x'), { cues: 'loud' as never }))).rejects.toThrow(/cues must be one of clear, subtle/);
  });
});
