import type * as tf from '@tensorflow/tfjs-core';
import type { PipelineConfig } from '@facemask/contracts';
import { Adam, AdamW } from './adam.ts';
import { SGD } from './sgd.ts';
import type { TorchOptimizer } from './optimizer.ts';
import { constantLR, cosineAnnealingLR, stepLR, withWarmup, type LrSchedule } from './schedule.ts';

export type OptimConfig = PipelineConfig['optim'];
export type SchedulerConfig = PipelineConfig['scheduler'];

/** The optimiser the config's `optim` section names, over `params`, starting at optim.lr. */
export function createOptimizer(cfg: OptimConfig, params: readonly tf.Variable[]): TorchOptimizer {
  switch (cfg.name) {
    case 'sgd':
      return new SGD(params, { lr: cfg.lr, momentum: cfg.momentum, nesterov: cfg.nesterov, weightDecay: cfg.weightDecay });
    case 'adam':
      return new Adam(params, { lr: cfg.lr, betas: cfg.betas, eps: cfg.eps, weightDecay: cfg.weightDecay });
    case 'adamw':
      return new AdamW(params, { lr: cfg.lr, betas: cfg.betas, eps: cfg.eps, weightDecay: cfg.weightDecay });
    default: {
      const never: never = cfg.name;
      throw new Error(`unknown optimiser "${String(never)}": expected sgd, adam or adamw`);
    }
  }
}

/**
 * lr per epoch from the `scheduler` and `optim` sections. Cosine anneals over the epochs after the
 * warm-up (T_max = epochs - warmupEpochs), reaching etaMin after the last epoch.
 */
export function createLrSchedule(sched: SchedulerConfig, optim: Pick<OptimConfig, 'lr'>, epochs: number): LrSchedule {
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`epochs must be an integer >= 1, got ${epochs}`);
  let main: LrSchedule;
  switch (sched.name) {
    case 'none':
      main = constantLR(optim.lr);
      break;
    case 'step':
      main = stepLR(optim.lr, sched.stepSize, sched.gamma);
      break;
    case 'cosine': {
      const tMax = epochs - sched.warmupEpochs;
      if (tMax < 1) throw new Error(`scheduler.warmupEpochs (${sched.warmupEpochs}) leaves no epochs of ${epochs} for the cosine schedule`);
      main = cosineAnnealingLR(optim.lr, tMax, sched.etaMin);
      break;
    }
    default: {
      const never: never = sched.name;
      throw new Error(`unknown scheduler "${String(never)}": expected none, step or cosine`);
    }
  }
  return withWarmup(main, sched.warmupEpochs);
}
