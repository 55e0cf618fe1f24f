import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type ConfigInput, type PipelineConfig } from '@facemask/core';
import { runPreprocess } from '@facemask/preprocess';
import { DEFAULT_SYNTH_OPTIONS, generateDataset } from '@facemask/synth';

/** A small generated data set, preprocessed into a fresh work folder. */
export async function preparedDataset(people: number, seed: number, size: number): Promise<{ root: string; base: ConfigInput }> {
  const dir = await mkdtemp(join(tmpdir(), 'train-data-'));
  const root = join(dir, 'data');
  await generateDataset({ ...DEFAULT_SYNTH_OPTIONS, out: root, people, seed, width: 96, height: 128, quiet: true });
  const base: ConfigInput = {
    seed,
    data: { root, work: join(dir, 'work'), evalLabels: join(root, 'eval_labels.csv') },
    preprocess: { folds: 3, centerCrop: 96, height: size, width: size },
  };
  await runPreprocess(parseConfig(base), { quiet: true, log: () => {} });
  return { root, base };
}

/**
 * The prepared set's config with `over` applied and a fresh work folder holding a copy of the
 * preprocess artifacts, so runs do not share train outputs.
 */
export async function freshRun(base: ConfigInput, over: Partial<ConfigInput>): Promise<PipelineConfig> {
  const work = await mkdtemp(join(tmpdir(), 'train-work-'));
  await cp(join((base.data as { work: string }).work, 'preprocess'), join(work, 'preprocess'), { recursive: true });
  return parseConfig({ ...base, ...over, data: { ...(base.data as object), work } } as ConfigInput);
}
