import * as tf from '@tensorflow/tfjs-core';
import { NUM_CLASSES, decodeClass, type AgeHeadKind, type PipelineConfig } from '@facemask/contracts';
import { createLoss, distributionLoss, ordinalLoss, type LossFn } from '@facemask/losses';
import {
  AGE_BINS,
  bandDistributionTargets,
  bandOrdinalTargets,
  classProbs,
  distributionTargets,
  multiHeadTargets,
  ordinalTargets,
  ordinalThresholds,
} from '@facemask/model-resnet';
import { classWeights } from './sampler.ts';

/** What a training target is made of: the 18-class target and the person's exact age (null: only the band is known, a pseudo-label). */
export interface TargetSource {
  cls: number;
  target: readonly number[];
  age?: number | null;
}

/** The multi head's age output (model.ageHead), the band thresholds (preprocess) it reads the bands at, and the distribution head's spread (model.ageSigma). */
export interface AgeHeadSpec {
  kind: AgeHeadKind;
  young: number;
  old: number;
  sigma?: number;
}

/**
 * What the model's outputs mean: one 18-way logits tensor ('single'), or mask/gender/age logits
 * ('multi') whose probabilities multiply into the 18 classes and whose loss is the sum of three.
 */
export interface HeadAdapter {
  kind: 'single' | 'multi';
  /**
   * A training row's target: the 18-class target, followed for the ordinal age head by its
   * threshold targets, for the distribution head by the age distribution (so MixUp and CutMix
   * mix both alike).
   */
  trainTarget(row: TargetSource): number[];
  /** Length of trainTarget's rows. */
  targetWidth: number;
  /** Mean loss of a batch (call inside tidy / variableGrads); targets are trainTarget rows. */
  loss(outputs: tf.Tensor[], targets: tf.Tensor2D): tf.Scalar;
  /** Class probabilities [N, 18]. */
  probs(outputs: tf.Tensor[]): tf.Tensor2D;
}

/**
 * `weightedBy`: the training rows' classes when the loss is class-weighted (train.classWeights),
 * else null. The single head weighs its 18 classes; each of the three heads weighs its own
 * classes by their marginal frequency, so the rare mask states and age bands count as much.
 */
export function createHeadAdapter(
  head: 'single' | 'multi',
  lossCfg: PipelineConfig['loss'],
  weightedBy: readonly number[] | null,
  age: AgeHeadSpec = { kind: 'bands', young: 30, old: 60 },
): HeadAdapter {
  const weighted = (numClasses: number, classOf: (cls: number) => number): LossFn =>
    createLoss(lossCfg, { numClasses, ...(weightedBy ? { classWeights: classWeights(weightedBy.map(classOf), numClasses) } : {}) });
  if (head === 'single') {
    if (age.kind !== 'bands') throw new Error(`model.ageHead '${age.kind}' is an output of head 'multi': set model.head to 'multi'`);
    const fn = weighted(NUM_CLASSES, (c) => c);
    return {
      kind: 'single',
      trainTarget: (row) => [...row.target],
      targetWidth: NUM_CLASSES,
      loss: (outputs, targets) => fn(single(outputs), targets),
      probs: (outputs) => classProbs('single', outputs),
    };
  }
  const maskLoss = weighted(3, (c) => decodeClass(c).mask);
  const genderLoss = weighted(2, (c) => decodeClass(c).gender);
  const ageLoss = weighted(3, (c) => decodeClass(c).ageBand);
  if (age.kind !== 'bands') {
    const exact = exactAgeTerm(age);
    return {
      kind: 'multi',
      trainTarget: (row) => [...row.target, ...(row.age == null ? exact.bandTargets(decodeClass(row.cls).ageBand) : exact.targets(row.age))],
      targetWidth: NUM_CLASSES + exact.width,
      // The training model's fourth output is the exact-age logits (trainingView / headOnly);
      // the band output keeps the configured loss, which weighs and smooths the bands as the
      // band head's does, and the fourth learns the exact age around them.
      loss: (outputs, targets) =>
        tf.tidy(() => {
          if (outputs.length !== 4) throw new Error(`the ${age.kind} age head trains on four outputs (mask, gender, bands, ${exact.what}), got ${outputs.length}`);
          const [m, g, a, o] = outputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
          const t = multiHeadTargets(tf.slice(targets, [0, 0], [-1, NUM_CLASSES]));
          const rest = tf.slice(targets, [0, NUM_CLASSES], [-1, exact.width]) as tf.Tensor2D;
          return tf.addN([maskLoss(m, t.mask), genderLoss(g, t.gender), ageLoss(a, t.age), exact.loss(o, rest)]) as tf.Scalar;
        }),
      // The fourth output only trains: the bands are the age output.
      probs: (outputs) => classProbs('multi', outputs.slice(0, 3)),
    };
  }
  return {
    kind: 'multi',
    trainTarget: (row) => [...row.target],
    targetWidth: NUM_CLASSES,
    loss: (outputs, targets) =>
      tf.tidy(() => {
        const [m, g, a] = triple(outputs);
        const t = multiHeadTargets(targets);
        return tf.addN([maskLoss(m as tf.Tensor2D, t.mask), genderLoss(g as tf.Tensor2D, t.gender), ageLoss(a as tf.Tensor2D, t.age)]) as tf.Scalar;
      }),
    probs: (outputs) => classProbs('multi', outputs),
  };
}

/** What an exact-age head adds: its targets (from the age, or from the band of a pseudo-label), their width and its loss. */
interface ExactAgeTerm {
  what: string;
  width: number;
  targets(age: number): number[];
  bandTargets(band: number): number[];
  loss(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar;
}

function exactAgeTerm(age: AgeHeadSpec): ExactAgeTerm {
  if (age.kind === 'ordinal') {
    const thresholds = ordinalThresholds(age.young, age.old);
    return {
      what: 'thresholds',
      width: thresholds.length,
      targets: (a) => ordinalTargets(a, thresholds),
      bandTargets: (b) => bandOrdinalTargets(b, thresholds, age.young, age.old),
      loss: ordinalLoss,
    };
  }
  const sigma = age.sigma;
  if (sigma == null) throw new Error("the distribution age head needs its spread: pass model.ageSigma as the age spec's sigma");
  return {
    what: 'age distribution',
    width: AGE_BINS,
    targets: (a) => distributionTargets(a, sigma),
    bandTargets: (b) => bandDistributionTargets(b, age.young, age.old),
    loss: distributionLoss,
  };
}

function single(outputs: tf.Tensor[]): tf.Tensor2D {
  if (outputs.length !== 1) throw new Error(`head 'single' expects one output, the model has ${outputs.length}: check model.head`);
  return outputs[0] as tf.Tensor2D;
}

function triple(outputs: tf.Tensor[]): tf.Tensor[] {
  if (outputs.length !== 3) throw new Error(`head 'multi' expects three outputs, the model has ${outputs.length}: check model.head`);
  return outputs;
}
