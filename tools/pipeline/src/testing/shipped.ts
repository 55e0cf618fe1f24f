import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARCH_FACTS, isModelArch, type ConfigInput, type ModelArch } from '@facemask/contracts';
import { WORKSPACE_ROOT } from '../workspace.ts';

/** The configs the repository ships (tools/pipeline/configs), by file name: a new one is picked up without an edit here. */
export const SHIPPED_CONFIGS_DIR = join(WORKSPACE_ROOT, 'tools/pipeline/configs');

export function shippedConfigNames(): string[] {
  return readdirSync(SHIPPED_CONFIGS_DIR).filter((f) => f.endsWith('.json')).sort();
}

export async function readShipped(name: string): Promise<ConfigInput> {
  return JSON.parse(await readFile(join(SHIPPED_CONFIGS_DIR, name), 'utf8')) as ConfigInput;
}

/** Sizes a slow engine (lavapipe) runs in seconds; the photos are generated at 384x512, so every shipped crop fits. */
const TINY = { folds: 2, side: 32, widthMultiplier: 0.125, epochs: 1, batchSize: 16 };

/**
 * A shipped config at the smallest size that still runs every stage it names: the same stages,
 * heads, detectors, crop, augmentations, loss, optimiser, scheduler, ensemble and pseudo-labels,
 * on the set at `root`, with 2 folds of one epoch (past any warm-up) at 32 px or the
 * architecture's smallest input, 1/8 wide where its width scales. A pretrained weights file is
 * left out (a fresh clone has none; face-api's weights come with npm and stay).
 */
export function tinyVariant(shipped: ConfigInput, root: string, work: string): ConfigInput {
  const model = { ...shipped.model };
  // an unknown arch fails the config check when the run loads it; the schema's default is resnet18
  const facts = ARCH_FACTS[isModelArch(model.arch ?? '') ? (model.arch as ModelArch) : 'resnet18'];
  if (facts.scalableWidth) model.widthMultiplier = TINY.widthMultiplier;
  if (model.pretrained && model.pretrained !== 'face-api') delete model.pretrained;
  const side = Math.max(TINY.side, facts.minInput);
  // Folds past the tiny set's two do not exist, and fold weights must be one per trained fold.
  const { folds: _folds, ...train } = shipped.train ?? {};
  const weights = shipped.ensemble?.weights;
  return {
    ...shipped,
    ...(shipped.ensemble ? { ensemble: { ...shipped.ensemble, ...(weights ? { weights: weights.slice(0, TINY.folds) } : {}) } } : {}),
    name: `tiny-${shipped.name ?? 'config'}`,
    data: { root, work, evalLabels: join(root, 'eval_labels.csv') },
    preprocess: { ...shipped.preprocess, folds: TINY.folds, height: side, width: side },
    model,
    // a warm-up needs epochs after it to anneal over (the config check)
    train: { ...train, epochs: TINY.epochs + (shipped.scheduler?.warmupEpochs ?? 0), batchSize: Math.min(TINY.batchSize, shipped.train?.batchSize ?? TINY.batchSize) },
  };
}
