import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, stageHandoff, stageParams, stageParamsHash, trainedFolds, workLayout, writeRunRecord, type ConfigInput, type PipelineConfig } from '@facemask/contracts';
import { selectBackend } from '@facemask/engine';
import { runEnsemble } from '@facemask/ensemble';
import { runPreprocess } from '@facemask/preprocess';
import { runSubmit } from '@facemask/submit';
import { runDetect } from '@facemask/detect';
import { DEFAULT_SYNTH_OPTIONS, generateDataset, type SynthOptions } from '@facemask/synth';
import { runFold } from '@facemask/train';

/**
 * A tiny pipeline run through the stages' own run functions, as the Nx targets run them:
 * synthetic photos, preprocess, a few folds of a small ResNet, the ensemble and the submission.
 */
export interface TinyRun {
  cfg: PipelineConfig;
  root: string;
  submission: string;
}

/** TFJS_BACKEND, wasm when unset, as the other stages' tests run. */
export async function useTestEngine(): Promise<string> {
  return (await selectBackend({ prefer: testBackend(), log: () => {} })).name;
}

const testBackend = () => process.env.TFJS_BACKEND?.trim() || 'wasm';

/**
 * `over` replaces config sections; `synth` the generator's options (photo size, people). With
 * preprocess.faceCrop set, the detect stage runs first, as the graph orders it.
 */
export async function tinyRun(over: Partial<ConfigInput> = {}, synth: Partial<SynthOptions> = {}): Promise<TinyRun> {
  const dir = await mkdtemp(join(tmpdir(), 'ship-run-'));
  const root = join(dir, 'data');
  await generateDataset({ ...DEFAULT_SYNTH_OPTIONS, out: root, people: 14, seed: 7, width: 96, height: 128, cues: 'clear', quiet: true, ...synth });
  const cfg = parseConfig({
    name: 'tiny',
    seed: 7,
    data: { root, work: join(dir, 'work'), evalLabels: join(root, 'eval_labels.csv') },
    preprocess: { folds: 2, centerCrop: 88, height: 24, width: 24 },
    augment: { train: [{ type: 'hflip', p: 0.5 }], tta: true },
    model: { arch: 'resnet18', widthMultiplier: 0.125, head: 'multi' },
    optim: { name: 'adamw', lr: 0.003 },
    scheduler: { name: 'none' },
    train: { epochs: 2, batchSize: 16 },
    ensemble: { method: 'soft', weights: [0.3, 0.7] },
    ...over,
  } as ConfigInput);
  const work = cfg.data.work;
  const quiet = { quiet: true, log: () => {} };
  if (cfg.preprocess.faceCrop) await runDetect(stageParams(cfg, 'detect'), { work, ...quiet, workers: 2, backend: testBackend(), handoff: stageHandoff(cfg, 'detect') });
  await runPreprocess(stageParams(cfg, 'preprocess'), { work, ...quiet });
  const train = stageParams(cfg, 'train');
  for (const fold of trainedFolds(cfg)) {
    const started = Date.now();
    await runFold(train, { work, round: 1, fold, ...quiet });
    // As train's CLI records it; export checks the config against it.
    await writeRunRecord(workLayout.fold(work, 1, fold).run, { target: `train:round1-fold-${fold}`, started, backend: 'test', paramsHash: stageParamsHash(train) });
  }
  await runEnsemble(stageParams(cfg, 'ensemble'), { work, round: 1 });
  const submitted = await runSubmit(stageParams(cfg, 'submit'), { work });
  return { cfg, root, submission: submitted.path };
}

/** A run whose image cache crops around the face (preprocess.faceCrop): entrance-sized photos, 384x512, 1 epoch at 32 px. */
export function tinyFaceRun(): Promise<TinyRun> {
  return tinyRun(
    { preprocess: { folds: 2, centerCrop: 384, height: 32, width: 32, faceCrop: { margin: 0.1 } }, train: { epochs: 1, batchSize: 16 } },
    { width: 384, height: 512, people: 6 },
  );
}
