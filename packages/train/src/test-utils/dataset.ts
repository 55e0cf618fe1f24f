import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, stageParams, workLayout, type ConfigInput, type FoldSummary, type PipelineConfig } from '@facemask/contracts';
import { claimWorkFolder } from '@facemask/contracts/work-folder';
import { runPreprocess } from '@facemask/preprocess';
import { runFeatures } from '../features-run.ts';
import { runFold, type FoldOptions } from '../fold.ts';
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
  const cfg = parseConfig(base);
  await runPreprocess(stageParams(cfg, 'preprocess'), { work: cfg.data.work, quiet: true, log: () => {} });
  return { root, base };
}

/**
 * The prepared set's config with `over` applied and a fresh work folder holding a copy of the
 * preprocess artifacts and the pixel stores they name, so runs do not share train outputs.
 */
export async function freshRun(base: ConfigInput, over: Partial<ConfigInput>): Promise<PipelineConfig> {
  const work = await mkdtemp(join(tmpdir(), 'train-work-'));
  // Marked as a work folder: tests put their config.json in it, which the stage CLIs would refuse.
  await claimWorkFolder(work);
  const from = (base.data as { work: string }).work;
  await cp(join(from, 'preprocess'), join(work, 'preprocess'), { recursive: true });
  await cp(workLayout.imageStores(from), workLayout.imageStores(work), { recursive: true });
  return parseConfig({ ...base, ...over, data: { ...(base.data as object), work } } as ConfigInput);
}

/** runFold on the train stage's slice of a whole config, as its CLI does; the fold's summary. */
export async function trainFold(cfg: PipelineConfig, opts: Omit<FoldOptions, 'work'>): Promise<FoldSummary> {
  return (await runFold(stageParams(cfg, 'train'), { work: cfg.data.work, ...opts })).summary;
}

/** The train:features task of a config (train.mode "features"), as its CLI runs it. */
export async function computeFeatures(cfg: PipelineConfig, log: (line: string) => void = () => {}): Promise<void> {
  await runFeatures(stageParams(cfg, 'features'), { work: cfg.data.work, quiet: true, log });
}
