import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadStageInput } from './stage-cli.ts';
import { claimWorkFolder, WORK_FOLDER_FILES, workFolderFiles } from './work-folder.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'work-folder-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('claimWorkFolder', () => {
  it('marks an absent or empty folder, and accepts it marked on the next run', async () => {
    const absent = join(dir, 'new', 'work');
    await claimWorkFolder(absent);
    expect(await readdir(absent)).toEqual([WORK_FOLDER_FILES.marker]);
    await claimWorkFolder(absent);
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await claimWorkFolder(empty);
    expect(await readFile(workFolderFiles(empty).marker, 'utf8')).toBe(await readFile(workFolderFiles(absent).marker, 'utf8'));
  });

  it('refuses a folder of other files (data.work: "packages") before writing anything, naming the folder and the fix', async () => {
    const packages = join(dir, 'packages');
    await mkdir(join(packages, 'preprocess', 'src'), { recursive: true });
    await mkdir(join(packages, 'contracts'));
    await writeFile(join(packages, 'README.md'), 'sources');
    await expect(claimWorkFolder(packages)).rejects.toThrow(
      `data.work ${packages} holds files no pipeline run wrote (README.md, contracts) and no .facemask-work marker: set data.work to a new or empty folder (the stages replace and prune what is in it)`,
    );
    expect((await readdir(packages)).sort()).toEqual(['README.md', 'contracts', 'preprocess']);
  });

  it("accepts an unmarked work folder of an earlier version (only the layout's entries and their temporaries) and marks it", async () => {
    const work = join(dir, 'work');
    for (const d of ['preprocess', 'train', '.cache', 'ensemble', 'submission', 'report', '.train.123.0123abcd.tmp']) await mkdir(join(work, d), { recursive: true });
    await claimWorkFolder(work);
    expect(await readdir(work)).toContain(WORK_FOLDER_FILES.marker);
  });

  it('accepts a folder holding only what the pipeline writes before the first stage: its lock and the run config', async () => {
    const work = join(dir, 'started');
    await mkdir(work);
    await writeFile(join(work, WORK_FOLDER_FILES.lock), '{}');
    await writeFile(join(work, WORK_FOLDER_FILES.config), '{}');
    await claimWorkFolder(work);
    expect((await readdir(work)).sort()).toEqual([WORK_FOLDER_FILES.marker, WORK_FOLDER_FILES.config, WORK_FOLDER_FILES.lock].sort());
  });

  it('refuses a file, and a marker no run wrote', async () => {
    await writeFile(join(dir, 'file'), 'x');
    await expect(claimWorkFolder(join(dir, 'file'))).rejects.toThrow(`data.work ${join(dir, 'file')} is a file: set data.work to a new or empty folder`);
    const fake = join(dir, 'fake');
    await mkdir(fake);
    await writeFile(join(fake, WORK_FOLDER_FILES.marker), 'mine');
    await expect(claimWorkFolder(fake)).rejects.toThrow(/has a \.facemask-work that no pipeline run wrote/);
  });

  it('gates every stage CLI: loadStageInput refuses a foreign data.work', async () => {
    const foreign = join(dir, 'src');
    await mkdir(foreign);
    await writeFile(join(foreign, 'main.ts'), '');
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ data: { root: dir, work: foreign } }));
    await expect(loadStageInput('preprocess', { config, workspace: dir })).rejects.toThrow(/data\.work .*src holds files no pipeline run wrote \(main\.ts\)/);
    await writeFile(config, JSON.stringify({ data: { root: dir, work: join(dir, 'work') } }));
    expect((await loadStageInput('preprocess', { config, workspace: dir })).work).toBe(join(dir, 'work'));
    expect(await readdir(join(dir, 'work'))).toEqual([WORK_FOLDER_FILES.marker]);
  });
});
