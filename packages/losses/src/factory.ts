import type * as tf from '@tensorflow/tfjs-core';
import type { LossSpec } from '@facemask/contracts';
import { crossEntropy, labelSmoothingLoss } from './cross-entropy.ts';
import { f1Loss } from './f1.ts';
import { focalLoss } from './focal.ts';

/** The config's `loss` section: one shape per kind (see @facemask/contracts config/loss.ts). */
export type LossConfig = LossSpec;
/** logits [N,C] and soft targets [N,C] (one-hot or mixed) to the mean loss. */
export type LossFn = (logits: tf.Tensor2D, targets: tf.Tensor2D) => tf.Scalar;

export interface CreateLossOptions {
  /** When given, every call checks that the logits have this many classes. */
  numClasses?: number;
  /** Per-class weights (length C); focal uses them as alpha, F1 as weights of the class mean. */
  classWeights?: number[];
}

/** The loss the config's `loss` section names. */
export function createLoss(cfg: LossConfig, opts: CreateLossOptions = {}): LossFn {
  const { numClasses, classWeights } = opts;
  if (numClasses !== undefined && classWeights && classWeights.length !== numClasses) {
    throw new Error(`createLoss: ${classWeights.length} class weights for ${numClasses} classes`);
  }
  const inner = pick(cfg, classWeights ?? null);
  return (logits, targets) => {
    if (numClasses !== undefined && logits.shape[1] !== numClasses) {
      throw new Error(`loss ${cfg.name}: logits have ${logits.shape[1]} classes, the config expects ${numClasses}`);
    }
    return inner(logits, targets);
  };
}

function pick(cfg: LossConfig, classWeights: number[] | null): LossFn {
  switch (cfg.name) {
    case 'cross_entropy':
      return (x, t) => crossEntropy(x, t, { classWeights });
    case 'label_smoothing':
      return (x, t) => labelSmoothingLoss(x, t, { smoothing: cfg.smoothing, kind: cfg.smoothingKind, classWeights });
    case 'focal':
      return (x, t) => focalLoss(x, t, { gamma: cfg.gamma, classWeights });
    case 'f1':
      return (x, t) => f1Loss(x, t, { epsilon: cfg.epsilon, classWeights });
    default: {
      const never: never = cfg;
      throw new Error(`unknown loss "${String((never as { name: unknown }).name)}": expected cross_entropy, label_smoothing, focal or f1`);
    }
  }
}
