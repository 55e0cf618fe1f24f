import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, readSamples } from '@facemask/contracts';
import { PreprocessError } from './issues.ts';
import { makeFixture, makePeople, preprocessWith, type Fixture } from './test-utils/fixture.ts';

/**
 * A config copied next to its data works from any folder: its paths are relative to the config
 * file, and a path that leads nowhere says so, naming the file.
 */

let f: Fixture;
afterEach(() => f?.cleanup());

/** A config in `<fixture>/experiments/`, whose data is `../data`, run from another working folder. */
async function configBeside(root: string): Promise<string> {
  const file = join(dirname(f.root), 'experiments', 'config.json');
  await mkdir(dirname(file), { recursive: true });
  const cfg = { seed: 7, data: { root, work: f.work }, preprocess: { centerCrop: null, height: 20, width: 16, folds: 2 } };
  await writeFile(file, JSON.stringify(cfg));
  return file;
}

describe('paths in a config file', () => {
  it('are relative to the config file, not the working folder', async () => {
    f = await makeFixture(makePeople(4), 2);
    const file = await configBeside('../data');
    const cfg = await loadConfig(file, '/');
    expect(cfg.data.root).toBe(f.root);
    await preprocessWith(cfg, { quiet: true });
    expect((await readSamples(f.work)).samples).toHaveLength(28);
  });

  it('a wrong one is an error that says where relative paths start', async () => {
    f = await makeFixture(makePeople(4), 2);
    const file = await configBeside('data');
    const cfg = await loadConfig(file, '/');
    const err = await preprocessWith(cfg, { quiet: true }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(PreprocessError);
    const missing = join(dirname(file), 'data', 'train', 'images');
    expect((err as Error).message).toBe(
      `${missing}: train/images folder not found. Fix: data.root must be the folder holding train/ and eval/ in the competition layout (train/train.csv, train/images/, eval/info.csv, eval/images/) (paths in a config are relative to the config file ${file}).`,
    );
  });
});
