import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { firstShape, firstTensor, type LayerArgs, type Shape } from './layer-io.ts';

/**
 * The label-distribution age head (model.ageHead 'distribution', DLDL: Gao et al. 2017): a
 * softmax over every whole year from 0 to AGE_MAX, trained towards a normal distribution around
 * the person's exact age (model.ageSigma years wide), so a 29-year-old's target puts mass on 30
 * too and the head learns which faces are near a band's edge instead of only which side they
 * fall. The three bands are the softmax's mass below the young threshold, up to the old one and
 * from it on, so the model's age output stays three band logits (log probabilities) and
 * everything downstream (the 18 classes, TTA, voting, export, predict, the kiosk) is unchanged.
 */

/** Layer name of the distribution's logits (the fourth output training reads). */
export const AGE_DISTRIBUTION = 'fc_age_dist';
/** The oldest year with a bin of its own; older ages count as AGE_MAX. */
export const AGE_MAX = 100;
/** Bins 0, 1, ..., AGE_MAX. */
export const AGE_BINS = AGE_MAX + 1;

function checkBands(young: number, old: number): void {
  if (!(Number.isInteger(young) && Number.isInteger(old) && young >= 1 && old > young && old <= AGE_MAX)) {
    throw new Error(`distribution age head: the band thresholds must be whole years with 1 <= young < old <= ${AGE_MAX}, got young ${young}, old ${old}`);
  }
}

/** The target of one exact age: a normal density of spread `sigma` years around it over the bins, normalised to sum to 1. */
export function distributionTargets(age: number, sigma: number): number[] {
  if (!(Number.isFinite(age) && age >= 0)) throw new Error(`distribution age head: the age must be a number of years >= 0, got ${age}`);
  if (!(sigma > 0)) throw new Error(`distribution age head: model.ageSigma must be > 0, got ${sigma}`);
  const a = Math.min(age, AGE_MAX);
  const w = Array.from({ length: AGE_BINS }, (_, j) => Math.exp(-0.5 * ((j - a) / sigma) ** 2));
  const sum = w.reduce((s, v) => s + v, 0);
  return w.map((v) => v / sum);
}

/** The target of a photo whose band alone is known (a pseudo-label): uniform over the band's years. */
export function bandDistributionTargets(band: number, young: number, old: number): number[] {
  checkBands(young, old);
  const [lo, hi] = band === 0 ? [0, young] : band === 1 ? [young, old] : [old, AGE_BINS];
  return Array.from({ length: AGE_BINS }, (_, j) => (j >= lo && j < hi ? 1 / (hi - lo) : 0));
}

/** Log band probabilities [N,3] from the distribution's logits [N,AGE_BINS]: log-sum-exp of the log-softmax over each band's years. */
export function distributionBandLogProbs(logits: tf.Tensor, young: number, old: number): tf.Tensor2D {
  checkBands(young, old);
  return tf.tidy(() => {
    if (logits.rank !== 2 || logits.shape[1] !== AGE_BINS) throw new Error(`distribution bands: expected logits [N, ${AGE_BINS}], got [${logits.shape}]`);
    const l = tf.logSoftmax(logits);
    const band = (from: number, to: number) => tf.logSumExp(tf.slice(l, [0, from], [-1, to - from]), 1, true);
    return tf.concat([band(0, young), band(young, old), band(old, AGE_BINS)], 1) as tf.Tensor2D;
  });
}

export interface DistributionBandsArgs extends LayerArgs {
  young: number;
  old: number;
}

/** Distribution logits [N,AGE_BINS] to log band probabilities [N,3] (distributionBandLogProbs); no weights. */
export class DistributionBands extends layers.Layer {
  static readonly className = 'DistributionBands';
  readonly young: number;
  readonly old: number;

  constructor(args: DistributionBandsArgs) {
    super(args);
    checkBands(args.young, args.old);
    this.young = args.young;
    this.old = args.old;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [firstShape(inputShape)[0] ?? null, 3];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return distributionBandLogProbs(firstTensor(inputs), this.young, this.old);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), young: this.young, old: this.old };
  }
}

tf.serialization.registerClass(DistributionBands);
