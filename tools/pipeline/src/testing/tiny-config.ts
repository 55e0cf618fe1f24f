import { join } from 'node:path';
import type { ConfigInput } from '@facemask/contracts';

/**
 * The smallest config that runs the whole pipeline through real Nx in seconds (32 px, a 1/8-wide
 * ResNet-18, one epoch, wasm) on a synthetic set at `root`, with its eval labels. `over` replaces
 * whole sections, except data, preprocess and train, whose keys it replaces (a `data.work` of
 * undefined leaves the work folder to the config file's name).
 */
export type TinyOverrides = Omit<Partial<ConfigInput>, 'data' | 'preprocess' | 'train'> & {
  data?: Partial<ConfigInput['data']>;
  preprocess?: ConfigInput['preprocess'];
  train?: ConfigInput['train'];
};

export function tinyConfig(root: string, over: TinyOverrides = {}): ConfigInput {
  return {
    seed: 5,
    model: { arch: 'resnet18', widthMultiplier: 0.125 },
    optim: { name: 'adamw', lr: 0.003 },
    scheduler: { name: 'none' },
    ensemble: { method: 'soft' },
    backend: 'wasm',
    ...over,
    data: { root, work: 'data/work', evalLabels: join(root, 'eval_labels.csv'), ...over.data },
    preprocess: { folds: 2, centerCrop: 96, height: 32, width: 32, ...over.preprocess },
    train: { epochs: 1, batchSize: 16, ...over.train },
  };
}
