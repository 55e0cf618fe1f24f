import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPreprocessSummary, readSamples } from '@facemask/contracts';
import { corruptSecondHalf } from '@facemask/augment/testing/corrupt-jpeg';
import { PreprocessError } from './issues.ts';
import { claimSize } from '@facemask/augment/testing/jpeg';
import { fixtureConfig, makeFixture, makePeople, preprocessWith, type Fixture } from './test-utils/fixture.ts';

/**
 * One test per kind of bad input: in "error" mode a PreprocessError that names the file and the
 * fix; in "skip" mode a run that leaves the input out and reports it in the summary.
 */

let f: Fixture;
afterEach(() => f?.cleanup());

async function setup(): Promise<Fixture> {
  f = await makeFixture(makePeople(4), 3);
  return f;
}

/** As the summary names a file: relative to the data root (it is restored where the root lies elsewhere). */
const rel = (file: string) => relative(f.root, file);
const person = (i: number) => join(f.root, 'train', 'images', f.folderOf(f.people[i]!));

async function expectError(file: string, problem: RegExp, fix: RegExp): Promise<PreprocessError> {
  const err = await preprocessWith(fixtureConfig(f, { folds: 2 }), { quiet: true }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PreprocessError);
  const e = err as PreprocessError;
  expect(e.file).toBe(file);
  expect(e.message.startsWith(file)).toBe(true);
  expect(e.message).toMatch(problem);
  expect(e.message).toMatch(/Fix: /);
  expect(e.message).toMatch(fix);
  return e;
}

async function runSkip() {
  const logs: string[] = [];
  await preprocessWith(fixtureConfig(f, { folds: 2, onBadInput: 'skip' }), { quiet: true, log: (l) => logs.push(l) });
  return { summary: await readPreprocessSummary(f.work), samples: (await readSamples(f.work)).samples, logs };
}

describe('bad photos', () => {
  it('a corrupt photo', async () => {
    await setup();
    const file = join(person(1), 'mask3.jpg');
    await writeFile(file, 'GIF89a this is not what it claims to be');
    await expectError(file, /corrupt or not an image/, /replace it with a readable JPEG\/PNG or delete it/);
    const { summary, samples, logs } = await runSkip();
    expect(summary.skipped).toEqual([{ path: rel(file), reason: expect.stringMatching(/corrupt or not an image/) }]);
    expect(samples.some((s) => s.path === file)).toBe(false);
    expect(samples).toHaveLength(4 * 7 - 1);
    expect(logs.some((l) => l.startsWith('warning: skipped') && l.includes(file))).toBe(true);
  });

  it('a truncated photo', async () => {
    await setup();
    const file = join(person(0), 'normal.jpg');
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await expectError(file, /truncated image/, /replace it/);
    const { summary, samples } = await runSkip();
    expect(summary.skipped.map((s) => s.path)).toEqual([rel(file)]);
    expect(samples).toHaveLength(27);
  });

  it('a photo that decodes through corrupt data: bad input like any other, named in the summary', async () => {
    await setup();
    const file = join(person(2), 'mask2.jpg');
    await writeFile(file, corruptSecondHalf(await readFile(file)));
    await expectError(file, /corrupt image data \(Corrupt JPEG data: [^)]+\): it decodes, but part of the picture may be garbage/, /replace it with a readable JPEG\/PNG[^]*preprocess\.onBadInput to "skip"/);
    const { summary, samples } = await runSkip();
    expect(summary.skipped).toEqual([{ path: rel(file), reason: expect.stringMatching(/^corrupt image data/) }]);
    expect(samples.some((s) => s.path === rel(file))).toBe(false);
    expect(samples).toHaveLength(27);
    const text = await readFile(join(f.work, 'preprocess', 'summary.txt'), 'utf8');
    expect(text).toContain(`skipped ${rel(file)}: corrupt image data`);
  });

  it('a photo over the pixel limit: too large, not corrupt, and the fix is to downscale it', async () => {
    await setup();
    const file = join(person(1), 'mask4.jpg');
    await writeFile(file, claimSize(await readFile(file), 20000, 15000));
    const e = await expectError(file, /too large to decode: 20000x15000 pixels \(300\.0 megapixels\), over the limit of 268\.4 megapixels/, /Fix: downscale it/);
    expect(e.message).not.toMatch(/corrupt/);
    const { summary } = await runSkip();
    expect(summary.skipped).toEqual([{ path: rel(file), reason: expect.stringMatching(/^too large/) }]);
  });

  it('an empty photo', async () => {
    await setup();
    const file = join(person(2), 'incorrect_mask.jpg');
    await writeFile(file, '');
    await expectError(file, /empty file \(0 bytes\)/, /replace it/);
    const { summary } = await runSkip();
    expect(summary.skipped).toEqual([{ path: rel(file), reason: 'empty file (0 bytes)' }]);
  });
});

describe('bad folders', () => {
  it('an unknown file in a person folder', async () => {
    await setup();
    const file = join(person(0), 'mask6.jpg');
    await writeFile(file, 'x');
    await expectError(file, /unknown file in a person folder/, /remove it or rename it/);
    const { summary, samples } = await runSkip();
    expect(summary.skipped.map((s) => s.path)).toEqual([rel(file)]);
    expect(samples).toHaveLength(28);
  });

  it('a person folder missing a photo', async () => {
    await setup();
    await rm(join(person(3), 'mask2.jpg'));
    const missing = join(person(3), 'mask2.*');
    await expectError(missing, /missing its mask2 photo/, /add the photo/);
    const { summary, samples } = await runSkip();
    expect(summary.skipped).toEqual([{ path: rel(missing), reason: expect.stringMatching(/missing its mask2 photo/) }]);
    expect(samples.filter((s) => s.personId === f.people[3]!.id).map((s) => s.kind)).not.toContain('mask2');
    expect(samples).toHaveLength(27);
  });

  it('a malformed folder name', async () => {
    await setup();
    const bad = join(f.root, 'train', 'images', '000099-female-Asian-30');
    await mkdir(bad);
    await expectError(bad, /malformed person folder name "000099-female-Asian-30"/, /rename it to <id>_<gender>_<race>_<age>/);
    const { summary } = await runSkip();
    expect(summary.skipped.map((s) => s.path)).toEqual([rel(bad)]);
  });
});

describe('train.csv against the folders', () => {
  const csv = () => join(f.root, 'train', 'train.csv');

  it('a train.csv row with no folder', async () => {
    await setup();
    await writeFile(csv(), (await readFile(csv(), 'utf8')) + '000077,male,Asian,40,000077_male_Asian_40\n');
    await expectError(csv(), /row 5 \(id 000077\) has no folder: train\/images\/000077_male_Asian_40 does not exist/, /add the folder or delete the row/);
    const { summary, samples } = await runSkip();
    expect(summary.skipped).toEqual([{ path: rel(csv()), reason: expect.stringMatching(/id 000077/) }]);
    expect(samples).toHaveLength(28);
  });

  it('a folder with no row', async () => {
    await setup();
    const lines = (await readFile(csv(), 'utf8')).trimEnd().split('\n');
    await writeFile(csv(), lines.filter((l) => !l.startsWith(f.people[1]!.id)).join('\n') + '\n');
    await expectError(person(1), /has no row in .*train\.csv/, /add its row to train\.csv or remove the folder/);
    const { summary, samples } = await runSkip();
    expect(summary.skipped.map((s) => s.path)).toEqual([rel(person(1))]);
    expect(samples.some((s) => s.personId === f.people[1]!.id)).toBe(false);
    expect(summary.totals.people).toBe(3);
  });

  it('a duplicate id', async () => {
    await setup();
    const p = f.people[2]!;
    // A second folder and row for the same id.
    const twin = `${p.id}_${p.gender}_Asian_${p.age + 1}`;
    await cp(person(2), join(f.root, 'train', 'images', twin), { recursive: true });
    await writeFile(csv(), (await readFile(csv(), 'utf8')) + `${p.id},${p.gender},Asian,${p.age + 1},${twin}\n`);
    await expectError(csv(), new RegExp(`duplicate id ${p.id} on rows 3 and 5`), /unique id/);
    const { summary, samples } = await runSkip();
    expect(summary.skipped).toEqual([{ path: rel(csv()), reason: expect.stringMatching(/duplicate id/) }]);
    expect(samples.filter((s) => s.personId === p.id).every((s) => s.age === p.age)).toBe(true);
  });

  it('train.csv and the folder name disagree on gender or age: the error names both', async () => {
    await setup();
    const p = f.people[0]!;
    const text = await readFile(csv(), 'utf8');
    await writeFile(csv(), text.replace(`${p.id},${p.gender},Asian,${p.age},`, `${p.id},${p.gender === 'male' ? 'female' : 'male'},Asian,${p.age + 2},`));
    const e = await expectError(person(0), /train\.csv row 1 \(id 000001\) and the folder name "000001_male_Asian_19" disagree/, /corrections file/);
    expect(e.message).toContain('gender female vs male, age 21 vs 19');
    const { summary } = await runSkip();
    expect(summary.totals.people).toBe(3);
  });
});

describe('eval/info.csv', () => {
  const info = () => join(f.root, 'eval', 'info.csv');
  const evalImage = (i: number) => join(f.root, 'eval', 'images', f.evalIds[i]!);

  it('an info.csv row with no image', async () => {
    await setup();
    await rm(evalImage(1));
    await expectError(info(), new RegExp(`row 2 \\(ImageID ${f.evalIds[1]!.replace('.', '\\.')}\\) has no image`), /add the image to eval\/images or delete the row/);
  });

  // A submission needs a prediction for every info.csv row: leaving an eval photo out would only
  // fail at ensemble or submit, after every fold has trained. So "skip" covers training inputs, and
  // preprocess fails at once with every unusable eval input and its fix.
  it('"skip" does not skip eval inputs: preprocess fails listing every bad one with its fix', async () => {
    await setup();
    await rm(evalImage(0));
    await writeFile(evalImage(1), 'not an image');
    const bytes = await readFile(evalImage(2));
    await writeFile(evalImage(2), bytes.subarray(0, Math.floor(bytes.length / 2)));
    const badTrain = join(person(2), 'mask1.jpg');
    await writeFile(badTrain, 'not an image either');
    const logs: string[] = [];
    const err = await preprocessWith(fixtureConfig(f, { folds: 2, onBadInput: 'skip' }), { quiet: true, log: (l) => logs.push(l) }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PreprocessError);
    const e = err as PreprocessError;
    expect(e.file).toBe(info());
    const [head, ...lines] = e.message.split('\n');
    expect(head).toBe(
      `${info()}: 3 eval inputs cannot be used, and a submission needs a prediction for every info.csv row (onBadInput "skip" leaves out training inputs only). Fix each:`,
    );
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^  ${info()}: row 1 \\(ImageID ${f.evalIds[0]!.replace('.', '\\.')}\\) has no image.*\\. Fix: add the image to eval/images or delete the row\\.$`)),
      expect.stringMatching(new RegExp(`^  ${evalImage(1)}: corrupt or not an image.*\\. Fix: replace it with a readable JPEG/PNG`)),
      expect.stringMatching(new RegExp(`^  ${evalImage(2)}: truncated image.*\\. Fix: replace it with a readable JPEG/PNG`)),
    ]);
    expect(e.message).not.toContain(badTrain);
    // nothing was written, and the run stopped before decoding a single train photo
    expect(existsSync(join(f.work, 'preprocess'))).toBe(false);
    expect(logs.filter((l) => l.includes(badTrain))).toEqual([]);
    expect(logs.filter((l) => l.startsWith('error: '))).toHaveLength(3);
  });

  it('a repeated or empty ImageID is an eval problem too', async () => {
    await setup();
    const text = await readFile(info(), 'utf8');
    await writeFile(info(), text + `${f.evalIds[0]},0\n,0\n`);
    await expect(preprocessWith(fixtureConfig(f, { folds: 2, onBadInput: 'skip' }), { quiet: true })).rejects.toThrow(
      /2 eval inputs cannot be used[^]*duplicate ImageID[^]*row 5 has an empty ImageID/,
    );
  });
});

describe('CSV formats', () => {
  it('accepts a UTF-8 BOM and CRLF line ends in train.csv and info.csv', async () => {
    await setup();
    for (const csv of [join(f.root, 'train', 'train.csv'), join(f.root, 'eval', 'info.csv')]) {
      const text = await readFile(csv, 'utf8');
      await writeFile(csv, '\ufeff' + text.replace(/\n/g, '\r\n'));
    }
    await preprocessWith(fixtureConfig(f, { folds: 2 }), { quiet: true });
    const samples = (await readSamples(f.work)).samples;
    expect(samples).toHaveLength(28);
    expect(new Set(samples.map((s) => s.personId))).toEqual(new Set(f.people.map((p) => p.id)));
    expect((await readPreprocessSummary(f.work)).totals.evalImages).toBe(3);
  });

  it('a CSV with a wrong header is an error even in skip mode', async () => {
    await setup();
    const csv = join(f.root, 'train', 'train.csv');
    const text = await readFile(csv, 'utf8');
    await writeFile(csv, text.replace('id,gender,race,age,path', 'id,sex,race,age,path'));
    await expectError(csv, /wrong header "id,sex,race,age,path".*missing gender/, /first line is the header id,gender,race,age,path/);
    await expect(preprocessWith(fixtureConfig(f, { folds: 2, onBadInput: 'skip' }), { quiet: true })).rejects.toThrow(/wrong header/);
    await writeFile(csv, text);
    const info = join(f.root, 'eval', 'info.csv');
    await writeFile(info, (await readFile(info, 'utf8')).replace('ImageID,ans', 'image,ans'));
    await expectError(info, /wrong header "image,ans"/, /ImageID,ans/);
  });
});
