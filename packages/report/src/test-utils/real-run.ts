import { join } from 'node:path';
import { parseConfig, selectBackend, type PipelineConfig } from '@facemask/core';
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
  const quiet = { quiet: true, log: () => {} };
  await selectBackend({ prefer: 'wasm', log: () => {} });
  await runPreprocess(config, quiet);
  for (const round of [1, 2] as const) {
    for (let fold = 0; fold < REAL_RUN.folds; fold++) await runFold(config, { round, fold, ...quiet });
    await runEnsemble(config, round);
    if (round === 1) await runPseudoLabel(config);
  }
  await runSubmit(config);
  return config;
}
