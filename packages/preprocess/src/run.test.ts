import { readdir, readFile, rename, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ageBand, encodeClass, maskOfKind, parseGender } from '@facemask/contracts';
import { hashJson, imageCacheIndexArtifact, loadConfig, readArtifact, readEvalList, readFingerprint, readPreprocessSummary, readSamples, runRecordArtifact, sha256OfFile, shownPath, stageParams, stageParamsHash, workLayout, WORKSPACE_ROOT } from '@facemask/contracts';
import { openImageCache } from '@facemask/image-cache';
import { fingerprintDataRoot } from './fingerprint.ts';
import { main } from './main.ts';
import { colourOf, fixtureConfig, makeFixture, makePeople, preprocessWith, type Fixture } from './test-utils/fixture.ts';

let f: Fixture;
afterEach(() => f?.cleanup());

/** One cached photo's bytes at the fixture config's 20x16 RGB. */
const PHOTO_PIXELS = 20 * 16 * 3;

/** The cached photo of a solid colour is (within JPEG error) that colour everywhere. */
function expectSolid(px: Uint8Array, rgb: [number, number, number], tol: number) {
  for (let i = 0; i < px.length; i++) expect(Math.abs(px[i]! - rgb[i % 3]!)).toBeLessThanOrEqual(tol);
}

describe('runPreprocess', () => {
  it('writes samples, eval list, summary, fingerprint and caches that agree with the data', async () => {
    const people = makePeople(18);
    people[0]!.ext = { mask1: 'png', normal: 'jpeg' };
    f = await makeFixture(people, 5);
    const r = await preprocessWith(fixtureConfig(f), { quiet: true });
    expect(r.dir).toBe(join(f.work, 'preprocess'));
    const { samples, folds } = await readSamples(f.work);
    expect(folds).toBe(3);
    expect(samples).toHaveLength(18 * 7);
    const byPerson = new Map(people.map((p) => [p.id, p]));
    for (const s of samples) {
      const p = byPerson.get(s.personId)!;
      expect(s.id).toBe(`${f.folderOf(p)}/${s.path.split('/').pop()}`);
      expect(s.path).toBe(`train/images/${s.id}`);
      expect(s.kind).toBe(s.id.split('/')[1]!.split('.')[0]);
      expect(s.mask).toBe(maskOfKind(s.kind));
      expect(s.gender).toBe(parseGender(p.gender));
      expect(s.ageBand).toBe(ageBand(p.age));
      expect(s.cls).toBe(encodeClass(maskOfKind(s.kind), parseGender(p.gender), ageBand(p.age)));
      expect(s.correction).toBeNull();
    }
    expect(samples.find((s) => s.id.endsWith('mask1.png'))).toBeDefined();
    expect(samples.find((s) => s.id.endsWith('normal.jpeg'))).toBeDefined();

    // Grouped: a person's photos share one fold; every fold has people of every gender.
    const foldOf = new Map<string, Set<number>>();
    for (const s of samples) foldOf.set(s.personId, (foldOf.get(s.personId) ?? new Set()).add(s.fold));
    for (const set of foldOf.values()) expect(set.size).toBe(1);
    const summary = await readPreprocessSummary(f.work);
    expect(summary.foldPeople).toEqual([6, 6, 6]);
    expect(summary.foldSamples.reduce((a, b) => a + b)).toBe(126);
    expect(summary.classCounts.reduce((a, b) => a + b)).toBe(126);
    summary.foldClassCounts.forEach((row, fold) => {
      row.forEach((n, cls) => expect(n).toBe(samples.filter((s) => s.fold === fold && s.cls === cls).length));
    });
    expect(summary.skipped).toEqual([]);
    expect(summary.cache).toMatchObject({ height: 20, width: 16, channels: 3, train: { count: 126 } });

    // The cache holds every photo's pixels at its cacheIndex.
    const train = await openImageCache(f.work, 'train', { root: f.root });
    expect(train).toMatchObject({ count: 126, height: 20, width: 16, channels: 3 });
    const pick = [samples[0]!, samples[6]!, samples[40]!, samples[125]!];
    const px = await train.read(pick.map((s) => s.cacheIndex));
    pick.forEach((s, i) => {
      expect(train.ids[s.cacheIndex]).toBe(s.id);
      expectSolid(px.subarray(i * PHOTO_PIXELS, (i + 1) * PHOTO_PIXELS), colourOf(s.id), s.id.endsWith('.png') ? 0 : 4);
    });
    await train.close();

    const evalList = await readEvalList(f.work);
    expect(evalList.images.map((e) => e.ImageID)).toEqual(f.evalIds);
    const ev = await openImageCache(f.work, 'eval', { root: f.root });
    const epx = await ev.read(evalList.images.map((e) => e.cacheIndex));
    evalList.images.forEach((e, i) => expectSolid(epx.subarray(i * PHOTO_PIXELS, (i + 1) * PHOTO_PIXELS), colourOf(e.ImageID), 4));
    await ev.close();

    const fp = await readFingerprint(f.work);
    expect(fp.dataset).toBe(await fingerprintDataRoot(f.root));
    expect(fp.files).toBe(18 * 7 + 5 + 2);
    expect(r.report).toContain('folds 3 (seed 7): people 6/6/6');
    expect(await readFile(join(r.dir, 'summary.txt'), 'utf8')).toBe(r.report + '\n');
  });

  it('reuses the cache when photos and transform are unchanged, rebuilds when either changes; same seed same folds', async () => {
    f = await makeFixture(makePeople(15), 3);
    const first = await preprocessWith(fixtureConfig(f), { quiet: true });
    const s1 = await readSamples(f.work);
    // Labels, folds-affecting options and the seed may change without touching the cache.
    const again = await preprocessWith(fixtureConfig(f, { oldAgeThreshold: 58 }), { quiet: true });
    expect(again.reused).toEqual({ train: true, eval: true });
    // what this run did is not a fact of its inputs: summary.json comes out the same
    expect(again.summary.cache).toEqual(first.summary.cache);
    expect(again.fingerprint.dataset).toBe(first.fingerprint.dataset);
    expect(again.fingerprint.optionsHash).not.toBe(first.fingerprint.optionsHash);
    const same = await preprocessWith(fixtureConfig(f), { quiet: true });
    expect(await readSamples(f.work)).toEqual(s1);
    expect(same.fingerprint).toEqual(first.fingerprint);

    const otherSeed = await preprocessWith(fixtureConfig(f, {}, { seed: 8 }), { quiet: true });
    expect(otherSeed.reused.train).toBe(true);
    const s2 = await readSamples(f.work);
    expect(s2.samples.map((s) => s.fold)).not.toEqual(s1.samples.map((s) => s.fold));

    const resized = await preprocessWith(fixtureConfig(f, { height: 24 }), { quiet: true });
    expect(resized.summary.cache.train).toEqual({ count: 105 });
    expect(resized.reused.train).toBe(false);
    expect((await openImageCache(f.work, 'train', { root: f.root }).then(async (c) => (await c.close(), c.height)))).toBe(24);

    const photo = join(f.root, 'train', 'images', f.folderOf(f.people[0]!), 'mask1.jpg');
    await writeFile(photo, await readFile(join(f.root, 'train', 'images', f.folderOf(f.people[1]!), 'mask1.jpg')));
    const changed = await preprocessWith(fixtureConfig(f, { height: 24 }), { quiet: true });
    expect(changed.reused).toEqual({ train: false, eval: true });
    expect(changed.fingerprint.dataset).not.toBe(first.fingerprint.dataset);
  });

  it('keeps the pixels out of the preprocess output (Nx copies outputs into its cache) and one store per split on disk', async () => {
    f = await makeFixture(makePeople(6), 2);
    const first = await preprocessWith(fixtureConfig(f), { quiet: true });
    const files = (await readdir(first.dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    expect(files.map((e) => e.name).filter((n) => !/\.(json|txt)$/.test(n))).toEqual([]);
    const outputBytes = (await Promise.all(files.map((e) => stat(join(e.parentPath, e.name))))).reduce((a, s) => a + s.size, 0);
    const storeOf = async (split: 'train' | 'eval') =>
      (await readArtifact(imageCacheIndexArtifact, workLayout.imageCache(first.dir, split).index)).store;
    const trainStore = workLayout.imageStore(f.work, await storeOf('train'));
    expect((await stat(trainStore.pixels)).size).toBe(42 * PHOTO_PIXELS);
    expect(outputBytes).toBeLessThan(42 * PHOTO_PIXELS);
    // no absolute path: the summary is restored as it is on a team's other machines
    expect(first.report).toContain(`pixels in ${shownPath(join(f.work, '.cache', 'images'), WORKSPACE_ROOT)}`);
    expect(first.report).not.toContain(f.work);
    const stores = async () => (await readdir(workLayout.imageStores(f.work))).sort();
    expect(await stores()).toEqual([await storeOf('eval'), await storeOf('train')].sort());

    // another size: new stores, and the old ones go once the new output is in place
    const logs: string[] = [];
    await preprocessWith(fixtureConfig(f, { height: 24 }), { quiet: true, log: (l) => logs.push(l) });
    expect(await stores()).toEqual([await storeOf('eval'), await storeOf('train')].sort());
    expect(await stores()).not.toContain(trainStore.dir.split('/').pop());
    expect(logs.filter((l) => l.startsWith('removed 2 image store(s)'))).toHaveLength(1);
  });

  it('a failed run leaves the artifacts of the earlier good run untouched', async () => {
    f = await makeFixture(makePeople(6), 2);
    await preprocessWith(fixtureConfig(f), { quiet: true });
    const before = await readFile(workLayout.preprocess(f.work).samples, 'utf8');
    const summaryBefore = await readFile(workLayout.preprocess(f.work).summary, 'utf8');
    // A corrupt photo late in the order: the new run fails while decoding, after the temp folder exists.
    await writeFile(join(f.root, 'train', 'images', f.folderOf(f.people[5]!), 'normal.jpg'), 'broken');
    await expect(preprocessWith(fixtureConfig(f, { height: 28 }), { quiet: true })).rejects.toThrow(/normal\.jpg: corrupt/);
    expect(await readFile(workLayout.preprocess(f.work).samples, 'utf8')).toBe(before);
    expect(await readFile(workLayout.preprocess(f.work).summary, 'utf8')).toBe(summaryBefore);
    const cache = await openImageCache(f.work, 'train', { root: f.root });
    expect(cache.height).toBe(20);
    expect((await cache.read([cache.count - 1])).length).toBe(PHOTO_PIXELS);
    await cache.close();
    expect((await readdir(f.work)).filter((n) => n.endsWith('.tmp') || n.endsWith('.old'))).toEqual([]);
    expect((await readdir(workLayout.imageStores(f.work))).filter((n) => n.endsWith('.tmp') || n.endsWith('.old'))).toEqual([]);
  });

  it('applies the old-age threshold and drops age ranges from the training samples', async () => {
    const people = makePeople(18); // ages cycle 19 25 28 33 45 58 59 60 62
    f = await makeFixture(people, 1);
    await preprocessWith(fixtureConfig(f, { oldAgeThreshold: 58, dropAgeRanges: [[27, 29], [33, 33]] }), { quiet: true });
    const { samples } = await readSamples(f.work);
    const ages = new Set(samples.map((s) => s.age));
    expect([...ages].sort()).toEqual([19, 25, 45, 58, 59, 60, 62]);
    for (const s of samples) expect(s.ageBand).toBe(s.age < 30 ? 0 : s.age < 58 ? 1 : 2);
    const summary = await readPreprocessSummary(f.work);
    const dropped = people.filter((p) => p.age === 28 || p.age === 33);
    expect(summary.dropped.ageRanges).toEqual([[27, 29], [33, 33]]);
    expect(summary.dropped.people).toEqual(dropped.map((p) => ({ id: p.id, age: p.age, photos: 7 })));
    expect(summary.totals).toMatchObject({ peopleFound: 18, people: 14, samples: 14 * 7 });
    // Dropped people are still cached (the cache does not depend on labelling options).
    expect(summary.cache.train.count).toBe(18 * 7);
    await expect(preprocessWith(fixtureConfig(f, { dropAgeRanges: [[40, 30]] }), { quiet: true })).rejects.toThrow(/low <= high/);
  });

  it('applies a corrections file: relabels, swaps incorrect_mask and normal, records and logs each', async () => {
    const people = makePeople(9);
    f = await makeFixture(people, 1);
    const file = join(f.root, '..', 'fixes.csv');
    // 000001 is male, 000002 female aged 25; 999999 targets a person not in this data.
    await writeFile(file, 'id,field,value\r\n000001,gender,female\r\n000002,age,61\r\n000003,swap_incorrect_normal,true\r\n999999,gender,male\r\n');
    const logs: string[] = [];
    await preprocessWith(fixtureConfig(f, { corrections: file, folds: 2 }), { quiet: true, log: (l) => logs.push(l) });
    const { samples } = await readSamples(f.work);
    const of = (id: string) => samples.filter((s) => s.personId === id);
    for (const s of of('000001')) {
      expect(s).toMatchObject({ gender: 1, correction: 'gender:male->female' });
      expect(s.cls).toBe(encodeClass(s.mask as 0, 1, 0));
    }
    for (const s of of('000002')) expect(s).toMatchObject({ age: 61, ageBand: 2, correction: 'age:25->61' });
    const p3 = of('000003');
    expect(p3.find((s) => s.kind === 'incorrect_mask')).toMatchObject({ mask: 2, correction: 'swap_incorrect_normal' });
    expect(p3.find((s) => s.kind === 'normal')).toMatchObject({ mask: 1, correction: 'swap_incorrect_normal' });
    expect(p3.find((s) => s.kind === 'mask1')).toMatchObject({ mask: 0, correction: null });
    const summary = await readPreprocessSummary(f.work);
    // by its name: the summary is restored as-is on machines where the file lies elsewhere
    expect(summary.corrections.source).toBe('fixes.csv');
    expect(summary.warnings).toEqual([expect.stringMatching(/^correction gender=male for id 999999 \(fixes\.csv row 4\) ignored/)]);
    expect((await readFingerprint(f.work)).options).toMatchObject({ preprocess: { corrections: { file: 'fixes.csv', sha256: await sha256OfFile(file) } } });
    expect(summary.corrections.applied).toHaveLength(3);
    expect(summary.corrections.ignored).toEqual([{ id: '999999', field: 'gender', value: 'male', reason: 'no person with this id in the data' }]);
    expect(summary.corrections.samplesChanged).toBe(7 + 7 + 2);
    expect(logs.filter((l) => l.startsWith('correction: '))).toHaveLength(3);
    expect(logs.some((l) => l.includes('999999') && l.startsWith('warning:'))).toBe(true);
  });

  it('"builtin" corrections on a data set without those ids only warn', async () => {
    f = await makeFixture(makePeople(6), 1);
    const r = await preprocessWith(fixtureConfig(f, { corrections: 'builtin' }), { quiet: true });
    expect(r.summary.corrections.applied).toEqual([]);
    expect(r.summary.corrections.ignored).toHaveLength(11);
    expect(r.summary.warnings).toHaveLength(11);
  });

  it("names each cached photo relative to the data root with the fingerprint's content hash, through a symlinked person folder too", async () => {
    f = await makeFixture(makePeople(3), 2);
    const images = join(f.root, 'train', 'images');
    const linked = f.folderOf(f.people[0]!);
    const elsewhere = join(f.root, '..', 'kept-elsewhere');
    await rename(join(images, linked), elsewhere);
    await symlink(elsewhere, join(images, linked));
    const r = await preprocessWith(fixtureConfig(f, { folds: 3 }), { quiet: true });
    for (const split of ['train', 'eval'] as const) {
      const { sources } = await readArtifact(imageCacheIndexArtifact, workLayout.imageCache(r.dir, split).index);
      expect(sources).toHaveLength(split === 'train' ? 21 : 2);
      for (const src of sources) {
        expect(src.path).toMatch(split === 'train' ? /^train\/images\/[^/]+\/[^/]+$/ : /^eval\/images\/[^/]+$/);
        expect(src.sha256, src.path).toBe(await sha256OfFile(join(f.root, src.path)));
      }
    }
    const { sources } = await readArtifact(imageCacheIndexArtifact, workLayout.imageCache(r.dir, 'train').index);
    expect(sources.filter((s) => s.path.startsWith(`train/images/${linked}/`))).toHaveLength(7);
  });

  it('ignores dot files (macOS metadata) and counts them', async () => {
    f = await makeFixture(makePeople(3), 1);
    const folder = join(f.root, 'train', 'images', f.folderOf(f.people[0]!));
    await writeFile(join(folder, '._mask1.jpg'), 'resource fork');
    await writeFile(join(f.root, 'train', 'images', '.DS_Store'), 'x');
    const r = await preprocessWith(fixtureConfig(f, { folds: 3 }), { quiet: true });
    expect(r.summary.hiddenFiles).toBe(2);
    expect(r.summary.totals.samples).toBe(21);
  });
});

describe('CLI', () => {
  it('loads the config, resolves data.work from --workspace, writes the artifacts and a run record, and prints the summary', async () => {
    f = await makeFixture(makePeople(6), 2);
    const cfgFile = join(f.root, '..', 'config.json');
    await writeFile(cfgFile, JSON.stringify({ seed: 3, data: { root: 'data', work: 'cli-work' }, preprocess: { centerCrop: 40, height: 16, width: 16, folds: 2 } }));
    const out: string[] = [];
    const workspace = join(f.root, '..');
    const work = join(workspace, 'cli-work');
    await main(['--config', cfgFile, '--workspace', workspace, '--quiet'], (t) => out.push(t));
    const text = out.join('');
    expect(text).toContain(`preprocess ${shownPath(f.root, WORKSPACE_ROOT)}`);
    expect(text).not.toContain(f.root);
    expect(text).toMatch(/people 6 of 6 found, train photos 42 of 42 found, eval images 2/);
    expect(text).toContain('image cache 16x16x3 (centre crop 40)');
    expect(text.split('\n').length).toBeLessThan(25);
    expect((await readSamples(work)).samples).toHaveLength(42);
    const run = await readArtifact(runRecordArtifact, workLayout.preprocess(work).run);
    expect(run).toMatchObject({ target: 'preprocess:run', backend: null });
    // without the data root's path, which differs between the machines of a team
    const { root: _root, ...portable } = stageParams(await loadConfig(cfgFile, workspace), 'preprocess');
    expect(run.paramsHash).toBe(stageParamsHash(portable));
    expect(run.paramsHash).toBe(hashJson(portable));
  });
});
