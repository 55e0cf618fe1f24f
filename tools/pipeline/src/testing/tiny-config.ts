import { join } from 'node:path';
import type { ConfigInput } from '@facemask/contracts';

/**
 * The smallest config that runs the whole pipeline through real Nx in seconds (32 px, a 1/8-wide
 * ResNet-18, one epoch, wasm) on a synthetic set at `root`, with its eval labels; `over` replaces
 * whole sections.
 */
export function tinyConfig(root: string, over: Partial<ConfigInput> = {}): ConfigInput {
  return {
    seed: 5,
    data: { root, work: 'data/work', evalLabels: join(root, 'eval_labels.csv') },
    preprocess: { folds: 2, centerCrop: 96, height: 32, width: 32 },
    model: { arch: 'resnet18', widthMultiplier: 0.125 },
    optim: { name: 'adamw', lr: 0.003 },
    scheduler: { name: 'none' },
    ensemble: { method: 'soft' },
    backend: 'wasm',
    train: { epochs: 1, batchSize: 16 },
    ...over,
  };
}
