import { AGE_BANDS, GENDERS, MASK_STATES, NUM_CLASSES, type AgeHeadKind } from '@facemask/contracts/browser';
import * as tf from '@tensorflow/tfjs-core';
import { layers, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { AGE_BINS, AGE_DISTRIBUTION, DistributionBands } from './age-distribution.ts';
import { AGE_SCORE, AGE_THRESHOLDS, OrdinalBands, ordinalThresholds, ThresholdBiases } from './age-head.ts';
import { SeededDropout, TorchBatchNorm } from './custom-layers.ts';
import type { Init } from './init.ts';

/**
 * Classifier heads on the pooled features, optionally after a BatchNorm ('feature_norm'). 'single': one dense layer 'fc' with numClasses logits.
 * 'multi': three dense layers fc_mask (3), fc_gender (2), fc_age (3) whose softmax probabilities
 * multiply into the 18 classes (class = mask * 6 + gender * 3 + age). Heads output logits.
 */

export type HeadKind = 'single' | 'multi';

/**
 * The head's layer names, written once: attachHead builds them and other code looks them up
 * (train's head-only model over cached features, the logits tap, the age head's band read-out).
 */
export const HEAD_LAYERS = { single: 'fc', mask: 'fc_mask', gender: 'fc_gender', age: 'fc_age', dropout: 'dropout' } as const;

export const MULTI_HEADS = [
  { name: HEAD_LAYERS.mask, units: MASK_STATES.length },
  { name: HEAD_LAYERS.gender, units: GENDERS.length },
  { name: HEAD_LAYERS.age, units: AGE_BANDS.length },
] as const;

function dense(init: Init, name: string, units: number, fanIn: number) {
  return layers.dense({
    name,
    units,
    kernelInitializer: init.denseKernel(name),
    biasInitializer: init.denseBias(name, fanIn),
  });
}

/** The head's BatchNorm over its input features (model.featureNorm). */
export const FEATURE_NORM = 'feature_norm';

/** The multi head's age output and the band thresholds its ordinal and distribution forms read the bands at. */
export interface AgeHeadOptions {
  kind: AgeHeadKind;
  young: number;
  old: number;
}

export function attachHead(
  init: Init,
  features: SymbolicTensor,
  head: HeadKind,
  numClasses: number,
  dropout: number,
  featureNorm = false,
  age: AgeHeadOptions = { kind: 'bands', young: 30, old: 60 },
): SymbolicTensor[] {
  const fanIn = features.shape[features.shape.length - 1] as number;
  let x = features;
  if (featureNorm) x = new TorchBatchNorm({ name: FEATURE_NORM }).apply(x) as SymbolicTensor;
  if (dropout > 0) x = new SeededDropout({ name: HEAD_LAYERS.dropout, rate: dropout, seed: init.dropoutSeed(HEAD_LAYERS.dropout) }).apply(x) as SymbolicTensor;
  if (head === 'single' && age.kind !== 'bands') throw new Error(`model.ageHead '${age.kind}' is an output of head 'multi': set model.head to 'multi'`);
  if (head === 'single') return [dense(init, HEAD_LAYERS.single, numClasses, fanIn).apply(x) as SymbolicTensor];
  if (numClasses !== NUM_CLASSES) {
    throw new Error(`head 'multi' predicts the ${NUM_CLASSES} mask/gender/age classes; numClasses is ${numClasses}`);
  }
  if (age.kind === 'bands') return MULTI_HEADS.map((h) => dense(init, h.name, h.units, fanIn).apply(x) as SymbolicTensor);
  const [mask, gender] = MULTI_HEADS.slice(0, 2).map((h) => dense(init, h.name, h.units, fanIn).apply(x) as SymbolicTensor) as [SymbolicTensor, SymbolicTensor];
  // Either age head's band read-out goes under the band head's name, so the model still
  // ends in the three outputs every consumer of a multi-head model reads.
  if (age.kind === 'distribution') {
    const logits = dense(init, AGE_DISTRIBUTION, AGE_BINS, fanIn).apply(x) as SymbolicTensor;
    return [mask, gender, new DistributionBands({ name: HEAD_LAYERS.age, young: age.young, old: age.old }).apply(logits) as SymbolicTensor];
  }
  const thresholds = ordinalThresholds(age.young, age.old);
  const score = layers.dense({ name: AGE_SCORE, units: 1, useBias: false, kernelInitializer: init.denseKernel(AGE_SCORE) }).apply(x) as SymbolicTensor;
  const logits = new ThresholdBiases({ name: AGE_THRESHOLDS, thresholds }).apply(score) as SymbolicTensor;
  const bands = new OrdinalBands({ name: HEAD_LAYERS.age, youngIndex: thresholds.indexOf(age.young), oldIndex: thresholds.indexOf(age.old) }).apply(logits) as SymbolicTensor;
  return [mask, gender, bands];
}

/**
 * The layers from the head's input to the age head's training output (the ordinal thresholds'
 * or the distribution's logits, which its loss reads beside the bands), in order; empty for the
 * band head, whose bands are all it trains on.
 */
export function ageTrainingChain(model: { layers: { name: string }[] }): string[] {
  const has = (name: string) => model.layers.some((l) => l.name === name);
  if (has(AGE_THRESHOLDS)) return [AGE_SCORE, AGE_THRESHOLDS];
  if (has(AGE_DISTRIBUTION)) return [AGE_DISTRIBUTION];
  return [];
}

/**
 * Joint probabilities [N,18] from the three heads' probabilities (mask [N,3], gender [N,2],
 * age [N,3]), treating them as independent: p(class) = p(mask) p(gender) p(age).
 */
export function combineMultiHead(maskP: tf.Tensor, genderP: tf.Tensor, ageP: tf.Tensor): tf.Tensor2D {
  const n = maskP.shape[0] as number;
  const want: [tf.Tensor, number, string][] = [
    [maskP, MASK_STATES.length, 'maskP'],
    [genderP, GENDERS.length, 'genderP'],
    [ageP, AGE_BANDS.length, 'ageP'],
  ];
  for (const [t, k, what] of want) {
    if (t.rank !== 2 || t.shape[0] !== n || t.shape[1] !== k) {
      throw new Error(`combineMultiHead: ${what} has shape [${t.shape}], expected [${n}, ${k}]`);
    }
  }
  return tf.tidy(() => {
    const m = tf.reshape(maskP, [n, 3, 1, 1]);
    const g = tf.reshape(genderP, [n, 1, 2, 1]);
    const a = tf.reshape(ageP, [n, 1, 1, 3]);
    return tf.reshape(tf.mul(tf.mul(m, g), a), [n, NUM_CLASSES]);
  });
}

/**
 * Class probabilities [N, 18] of a model's outputs: the softmax of the single head's logits, or
 * the multi head's three softmaxes combined (multiHeadProbs). Training's evaluation and every
 * prediction of an exported model go through this one function.
 */
export function classProbs(head: HeadKind, outputs: tf.Tensor[]): tf.Tensor2D {
  if (head === 'single') {
    if (outputs.length !== 1) throw new Error(`head 'single' expects one output, the model has ${outputs.length}: check model.head`);
    return tf.softmax(outputs[0] as tf.Tensor2D) as tf.Tensor2D;
  }
  if (outputs.length !== 3) throw new Error(`head 'multi' expects three outputs, the model has ${outputs.length}: check model.head`);
  return multiHeadProbs(outputs);
}

/** combineMultiHead of the softmaxed logits of a multi-head model's three outputs. */
export function multiHeadProbs(logits: tf.Tensor[]): tf.Tensor2D {
  if (logits.length !== 3) throw new Error(`multiHeadProbs: expected 3 logits tensors (mask, gender, age), got ${logits.length}`);
  return tf.tidy(() => {
    const [m, g, a] = logits.map((l) => tf.softmax(l)) as [tf.Tensor, tf.Tensor, tf.Tensor];
    return combineMultiHead(m, g, a);
  });
}

export interface MultiHeadTargets {
  mask: tf.Tensor2D;
  gender: tf.Tensor2D;
  age: tf.Tensor2D;
}

/**
 * The three marginal targets of 18-class targets: either class indices [N] (int32) or
 * (soft) distributions [N,18]. Each marginal sums the target mass of the classes sharing that
 * mask / gender / age value, so soft labels (label smoothing, mixup, pseudo labels) stay soft.
 */
export function multiHeadTargets(labels18: tf.Tensor): MultiHeadTargets {
  if (!(labels18.rank === 1 || (labels18.rank === 2 && labels18.shape[1] === NUM_CLASSES))) {
    throw new Error(`multiHeadTargets: expected class indices [N] or targets [N, ${NUM_CLASSES}], got shape [${labels18.shape}]`);
  }
  return tf.tidy(() => {
    const n = labels18.shape[0] as number;
    const dist = tf.cast(labels18.rank === 1 ? tf.oneHot(tf.cast(labels18, 'int32'), NUM_CLASSES) : labels18, 'float32');
    const grid = tf.reshape(dist, [n, 3, 2, 3]);
    return {
      mask: tf.sum(grid, [2, 3]) as tf.Tensor2D,
      gender: tf.sum(grid, [1, 3]) as tf.Tensor2D,
      age: tf.sum(grid, [1, 2]) as tf.Tensor2D,
    };
  });
}
