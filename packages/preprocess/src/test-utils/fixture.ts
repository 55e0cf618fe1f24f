import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { hashString, parseConfig, PHOTO_KINDS, stageParams, type ConfigInput, type PhotoKind, type PipelineConfig } from '@facemask/contracts';
import { runPreprocess, type PreprocessResult, type RunOptions } from '../run.ts';

/** Tiny competition-layout data sets for tests: solid-colour photos, so cached pixels are predictable. */

export interface FixturePerson {
  id: string;
  gender: 'male' | 'female';
  race?: string;
  age: number;
  /** Extension per kind (default jpg); "png" photos decode to their exact colour. */
  ext?: Partial<Record<PhotoKind, 'jpg' | 'jpeg' | 'png'>>;
}

export interface Fixture {
  root: string;
  work: string;
  people: FixturePerson[];
  evalIds: string[];
  folderOf(p: FixturePerson): string;
  cleanup(): Promise<void>;
}

export const PHOTO_W = 32;
export const PHOTO_H = 48;

/** Deterministic colour of a photo, from its relative id. */
export function colourOf(id: string): [number, number, number] {
  const h = hashString(id);
  return [h & 0xff, (h >>> 8) & 0xff, (h >>> 16) & 0xff];
}

export async function solidImage(rgb: [number, number, number], ext: string, w = PHOTO_W, h = PHOTO_H): Promise<Buffer> {
  const img = sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  return ext === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
}

/** n people with ages spread over all three bands and both genders. */
export function makePeople(n: number): FixturePerson[] {
  const ages = [19, 25, 28, 33, 45, 58, 59, 60, 62];
  return Array.from({ length: n }, (_, i) => ({
    id: String(i + 1).padStart(6, '0'),
    gender: i % 3 === 0 ? 'male' : 'female',
    age: ages[i % ages.length]!,
  }));
}

export const folderName = (p: FixturePerson) => `${p.id}_${p.gender}_${p.race ?? 'Asian'}_${p.age}`;

export async function makeFixture(people: FixturePerson[] = makePeople(12), evalCount = 5): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'facemask-pp-'));
  const root = join(dir, 'data');
  const images = join(root, 'train', 'images');
  await mkdir(images, { recursive: true });
  const rows = ['id,gender,race,age,path'];
  for (const p of people) {
    const folder = folderName(p);
    rows.push(`${p.id},${p.gender},${p.race ?? 'Asian'},${p.age},${folder}`);
    await mkdir(join(images, folder));
    for (const kind of PHOTO_KINDS) {
      const ext = p.ext?.[kind] ?? 'jpg';
      const file = `${kind}.${ext}`;
      await writeFile(join(images, folder, file), await solidImage(colourOf(`${folder}/${file}`), ext));
    }
  }
  await writeFile(join(root, 'train', 'train.csv'), rows.join('\n') + '\n');
  await mkdir(join(root, 'eval', 'images'), { recursive: true });
  const evalIds: string[] = [];
  // Deliberately not in name order, so "info.csv order" is testable.
  for (let i = evalCount - 1; i >= 0; i--) {
    const id = `${(hashString(`eval${i}`) >>> 0).toString(16).padStart(8, '0')}.${i % 2 ? 'png' : 'jpg'}`;
    evalIds.push(id);
    await writeFile(join(root, 'eval', 'images', id), await solidImage(colourOf(id), i % 2 ? 'png' : 'jpg'));
  }
  await writeFile(join(root, 'eval', 'info.csv'), ['ImageID,ans', ...evalIds.map((id) => `${id},0`)].join('\n') + '\n');
  return {
    root,
    work: join(dir, 'work'),
    people,
    evalIds,
    folderOf: folderName,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export function fixtureConfig(f: Fixture, preprocess: ConfigInput['preprocess'] = {}, extra: Partial<ConfigInput> = {}): PipelineConfig {
  return parseConfig({
    seed: 7,
    ...extra,
    data: { root: f.root, work: f.work },
    preprocess: { centerCrop: null, height: 20, width: 16, folds: 3, ...preprocess },
  });
}

/** runPreprocess on the stage's slice of a whole config, as its CLI does. */
export function preprocessWith(cfg: PipelineConfig, opts: Omit<RunOptions, 'work'> = {}): Promise<PreprocessResult> {
  return runPreprocess(stageParams(cfg, 'preprocess'), { work: cfg.data.work, ...opts });
}
