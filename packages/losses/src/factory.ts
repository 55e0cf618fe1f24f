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
  const inner = pick(cfg as Extract<LossConfig, { name: LossName }>, classWeights ?? null);
  return (logits, targets) => {
    if (numClasses !== undefined && logits.shape[1] !== numClasses) {
      throw new Error(`loss ${cfg.name}: logits have ${logits.shape[1]} classes, the config expects ${numClasses}`);
    }
    return inner(logits, targets);
  };
}

type LossName = LossConfig['name'];
type LossBuilder<K extends LossName> = (cfg: Extract<LossConfig, { name: K }>, classWeights: number[] | null) => LossFn;

/**
 * Every loss the config schema knows (contracts' lossSpec), by name: a loss added to the schema
 * without an entry here does not compile.
 */
export const LOSSES: { [K in LossName]: LossBuilder<K> } = {
  cross_entropy: (_cfg, classWeights) => (x, t) => crossEntropy(x, t, { classWeights }),
  label_smoothing: (cfg, classWeights) => (x, t) => labelSmoothingLoss(x, t, { smoothing: cfg.smoothing, kind: cfg.smoothingKind, classWeights }),
  focal: (cfg, classWeights) => (x, t) => focalLoss(x, t, { gamma: cfg.gamma, classWeights }),
  f1: (cfg, classWeights) => (x, t) => f1Loss(x, t, { epsilon: cfg.epsilon, classWeights }),
};

function pick<K extends LossName>(cfg: Extract<LossConfig, { name: K }>, classWeights: number[] | null): LossFn {
  const build = LOSSES[cfg.name] as LossBuilder<K> | undefined;
  if (!build) throw new Error(`unknown loss "${String(cfg.name)}": expected ${Object.keys(LOSSES).join(', ')}`);
  return build(cfg, classWeights);
}
