import { join } from 'node:path';
import { parseConfig, stageParams, stageParamsHash, targets, workLayout, writeRunRecord, type PipelineConfig, type StageName } from '@facemask/contracts';
import { backendLine, selectBackend } from '@facemask/engine';
import { runEnsemble } from '@facemask/ensemble';
import { runPreprocess } from '@facemask/preprocess';
import { runPseudoLabel } from '@facemask/pseudo-label';
import { runSubmit } from '@facemask/submit';
import { DEFAULT_SYNTH_OPTIONS, generateDataset } from '@facemask/synth';
import { runFold } from '@facemask/train';

export const REAL_RUN = { people: 16, seed: 5, folds: 3, epochs: 3 } as const;

/**
 * A small deterministic pipeline run through the real stages (synth -> preprocess -> train round 1
 * -> ensemble -> pseudo-label -> train round 2 -> ensemble -> submit): tiny photos, a width-1/4
 * ResNet-18 for a few epochs, so its artifacts are what a user's run writes, in under a minute.
 * Each task writes its run record as its CLI does.
 */
export async function realRun(dir: string): Promise<PipelineConfig> {
  const root = join(dir, 'data');
  await generateDataset({ ...DEFAULT_SYNTH_OPTIONS, out: root, people: REAL_RUN.people, seed: REAL_RUN.seed, width: 96, height: 128, cues: 'clear', quiet: true });
  const config = parseConfig({
    name: 'browser-test',
    seed: REAL_RUN.seed,
    data: { root, work: join(dir, 'work'), evalLabels: join(root, 'eval_labels.csv') },
    preprocess: { folds: REAL_RUN.folds, centerCrop: 96, height: 32, width: 32 },
    augment: { train: [{ type: 'hflip', p: 0.5 }], tta: true },
    model: { arch: 'resnet18', widthMultiplier: 0.25, head: 'multi' },
    loss: { name: 'label_smoothing', smoothing: 0.1 },
    optim: { name: 'adamw', lr: 0.003, weightDecay: 1e-4 },
    scheduler: { name: 'cosine' },
    train: { epochs: REAL_RUN.epochs, batchSize: 16 },
    // A model this small and short is unsure of everything: a low bar still exercises round 2.
    pseudo: { enabled: true, threshold: 0.15 },
  });
  const work = config.data.work;
  const quiet = { quiet: true, log: () => {} };
  /** Runs a task and writes its run.json, as the stage CLIs do. */
  const task = async (stage: StageName, target: string, runFile: string, backend: string | null, run: () => Promise<unknown>) => {
    const started = Date.now();
    await run();
    await writeRunRecord(runFile, { target, started, backend, paramsHash: stageParamsHash(stageParams(config, stage)) });
  };
  // wasm whatever TFJS_BACKEND says: the plain cpu backend would take hours here.
  const engine = backendLine(await selectBackend({ prefer: 'wasm', log: () => {} }));
  await task('preprocess', targets.preprocess, workLayout.preprocess(work).run, null, () => runPreprocess(stageParams(config, 'preprocess'), { work, ...quiet }));
  for (const round of [1, 2] as const) {
    for (let fold = 0; fold < REAL_RUN.folds; fold++) {
      await task('train', targets.trainFold(round, fold), workLayout.fold(work, round, fold).run, engine, () => runFold(stageParams(config, 'train'), { work, round, fold, ...quiet }));
    }
    await task('ensemble', targets.ensemble(round), workLayout.ensemble(work, round).run, null, () => runEnsemble(stageParams(config, 'ensemble'), { work, round }));
    if (round === 1) await task('pseudo-label', targets.pseudoLabel, workLayout.pseudoLabel(work).run, null, () => runPseudoLabel(stageParams(config, 'pseudo-label'), { work }));
  }
  await task('submit', targets.submit, workLayout.submission(work).run, null, () => runSubmit(stageParams(config, 'submit'), { work }));
  return config;
}
