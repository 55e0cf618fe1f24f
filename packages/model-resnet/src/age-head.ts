import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { firstShape, firstTensor, type LayerArgs, type Shape } from './layer-io.ts';

/**
 * The ordinal age head (model.ageHead 'ordinal', CORAL: Cao, Mirjalili and Raschka 2020): one
 * score per photo (a dense layer with one unit and no bias, shared by every threshold), plus one
 * bias per age threshold t, gives K logits, logit_k = P(age >= t_k). Trained on the exact age,
 * it learns that 29 and 31 are neighbours; the three age bands are read off two of the
 * thresholds (the young and the old one), so the model's age output stays three band logits and
 * everything downstream (the 18 classes, TTA, voting, export, predict, the kiosk) is unchanged.
 */

/** Layer names of the ordinal head: the shared score, the thresholds' logits, the band read-out (the model's age output). */
export const AGE_SCORE = 'fc_age_score';
export const AGE_THRESHOLDS = 'age_thresholds';

/** Lowest and highest threshold and their spacing, in years; the band thresholds are always added. */
const FIRST = 20;
const LAST = 70;
const STEP = 2;

/**
 * The ages t whose P(age >= t) the head learns: every STEP years from FIRST to LAST (the span
 * where the competition's and the dev sets' ages lie) plus the two band thresholds, sorted.
 */
export function ordinalThresholds(young: number, old: number): number[] {
  if (!(Number.isInteger(young) && Number.isInteger(old) && young >= 1 && old > young)) {
    throw new Error(`ordinal age head: the band thresholds must be whole years with young < old, got young ${young}, old ${old}`);
  }
  const ts = new Set<number>([young, old]);
  for (let t = FIRST; t <= LAST; t += STEP) ts.add(t);
  return [...ts].sort((a, b) => a - b);
}

/** Ordinal targets of one exact age: 1 where age >= t, else 0. */
export function ordinalTargets(age: number, thresholds: readonly number[]): number[] {
  return thresholds.map((t) => (age >= t ? 1 : 0));
}

/**
 * Targets of a photo whose band alone is known (a pseudo-label): thresholds the band decides
 * get 1 or 0, those inside the band 0.5 (either way equally likely, so no gradient pushes them).
 */
export function bandOrdinalTargets(band: number, thresholds: readonly number[], young: number, old: number): number[] {
  const [lo, hi] = band === 0 ? [-Infinity, young] : band === 1 ? [young, old] : [old, Infinity];
  return thresholds.map((t) => (t <= lo ? 1 : t >= hi ? 0 : 0.5));
}

/**
 * Log band probabilities [N,3] from threshold logits [N,K]: p(<young) = 1 - s(l_young),
 * p(young..old-1) = s(l_young) - s(l_old), p(>=old) = s(l_old). The middle band is floored at
 * 1e-7: with shared weights it is negative only if the two biases are out of order, which
 * training does not leave them in; a softmax of the result renormalises.
 */
export function ordinalBandLogProbs(logits: tf.Tensor, youngIndex: number, oldIndex: number): tf.Tensor2D {
  return tf.tidy(() => {
    const k = logits.shape[1] as number;
    if (!(youngIndex >= 0 && oldIndex > youngIndex && oldIndex < k)) throw new Error(`ordinal bands: threshold indices ${youngIndex}, ${oldIndex} do not fit ${k} logits`);
    const ly = tf.slice(logits, [0, youngIndex], [-1, 1]);
    const lo = tf.slice(logits, [0, oldIndex], [-1, 1]);
    // log(1 - s(l)) = -softplus(l) and log s(l) = -softplus(-l), exact far into the tails.
    const young = tf.neg(tf.softplus(ly));
    const oldest = tf.neg(tf.softplus(tf.neg(lo)));
    const middle = tf.log(tf.maximum(tf.sub(tf.sigmoid(ly), tf.sigmoid(lo)), 1e-7));
    return tf.concat([young, middle, oldest], 1) as tf.Tensor2D;
  });
}


export interface ThresholdBiasesArgs extends LayerArgs {
  /** The threshold ages, ascending; one bias each. */
  thresholds: number[];
}

/** [N,1] shared score to [N,K] threshold logits: score + bias_k. */
export class ThresholdBiases extends layers.Layer {
  static readonly className = 'ThresholdBiases';
  readonly thresholds: number[];
  private bias: LayerVariable | null = null;

  constructor(args: ThresholdBiasesArgs) {
    super(args);
    this.thresholds = [...args.thresholds];
  }

  override build(): void {
    const k = this.thresholds.length;
    // Descending from +1 to -1: P(age >= t) falls with t, so the biases start in the order
    // training keeps them in (and the middle band starts positive).
    const init = this.thresholds.map((_, i) => (k === 1 ? 0 : 1 - (2 * i) / (k - 1)));
    this.bias = this.addWeight('bias', [k], 'float32', initializers.constant({ value: 0 }), undefined, true);
    const start = tf.tensor1d(init);
    this.bias.write(start);
    start.dispose();
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [firstShape(inputShape)[0] ?? null, this.thresholds.length];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.add(firstTensor(inputs), (this.bias as LayerVariable).read()));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), thresholds: this.thresholds };
  }
}

export interface OrdinalBandsArgs extends LayerArgs {
  youngIndex: number;
  oldIndex: number;
}

/** Threshold logits [N,K] to log band probabilities [N,3] (ordinalBandLogProbs); no weights. */
export class OrdinalBands extends layers.Layer {
  static readonly className = 'OrdinalBands';
  readonly youngIndex: number;
  readonly oldIndex: number;

  constructor(args: OrdinalBandsArgs) {
    super(args);
    this.youngIndex = args.youngIndex;
    this.oldIndex = args.oldIndex;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [firstShape(inputShape)[0] ?? null, 3];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return ordinalBandLogProbs(firstTensor(inputs), this.youngIndex, this.oldIndex);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), youngIndex: this.youngIndex, oldIndex: this.oldIndex };
  }
}

tf.serialization.registerClass(ThresholdBiases);
tf.serialization.registerClass(OrdinalBands);
