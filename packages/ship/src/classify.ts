import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { evalTransform, ttaViews } from '@facemask/augment/browser';
import { argmaxRow, describeClass, NUM_CLASSES, type ModelManifest, type Predictions } from '@facemask/contracts/browser';
import { combine } from '@facemask/ensemble/browser';
import { classProbs } from '@facemask/model-resnet/browser';
import { evalBatch } from '@facemask/train/browser';

/**
 * The ensemble's answer for photos already cropped to the model's input: the evaluation views a
 * fold predicts with (augment's eval transform, TTA mirror), each member's class probabilities
 * (train's evalBatch), the run's vote (ensemble's combine). Browser-safe: the kiosk page runs
 * this same function.
 */

/** An exported model folder with its members loaded, in manifest order. */
export interface LoadedEnsemble {
  manifest: ModelManifest;
  models: LayersModel[];
}

export interface Answer {
  /** 0..17 = mask*6 + gender*3 + age band. */
  cls: number;
  mask: string;
  gender: string;
  age: string;
  /** e.g. "not wear / male / 60+". */
  words: string;
  /** The voted probability of the class (soft vote) or its share of the votes (hard vote). */
  confidence: number;
  /** The voted row, NUM_CLASSES values. */
  probs: number[];
}

/** The answer for voted row `row` of `probs`. */
export function answerOf(manifest: ModelManifest, probs: ArrayLike<number>, row: number): Answer {
  const cls = argmaxRow(probs, row);
  const entry = manifest.classes[cls]!;
  const own = Array.from({ length: NUM_CLASSES }, (_, c) => probs[row * NUM_CLASSES + c]!);
  return { cls, mask: entry.mask.replace('_', ' '), gender: entry.gender, age: entry.age, words: describeClass(manifest.classes, cls), confidence: own[cls]!, probs: own };
}

/**
 * Answers for `n` photos, uint8 RGB NHWC at the manifest's input size, back to back in `pixels`.
 * Allocates no tensor that outlives the call.
 */
export function classifyPixels(ens: LoadedEnsemble, pixels: Uint8Array, n: number): Answer[] {
  const m = ens.manifest;
  if (ens.models.length !== m.members.length) throw new Error(`the ensemble has ${ens.models.length} models for ${m.members.length} members in its manifest`);
  const { height, width } = m.input;
  const norm = { mean: m.normalize.mean, std: m.normalize.std };
  const views = m.tta === 'hflip' ? ttaViews(pixels, n, height, width, norm) : [evalTransform(pixels, n, height, width, norm)];
  const head = { probs: (outputs: tf.Tensor[]) => classProbs(m.head, outputs) };
  // Row ids only pair the members' rows in combine.
  const ids = Array.from({ length: n }, (_, i) => String(i));
  try {
    const members: Predictions[] = ens.models.map((model, i) => ({
      source: `fold-${m.members[i]!.fold}`,
      split: 'eval',
      numClasses: NUM_CLASSES,
      ids,
      // As a fold's prediction artifact stores them (float32 sums can pass 1 by an ulp).
      probs: Array.from(evalBatch(model, head, views, null).probs, (v) => Math.min(1, Math.max(0, v))),
      labels: null,
    }));
    const voted = combine(members, { method: m.vote.method, weights: m.vote.weights, ids });
    return ids.map((_, row) => answerOf(m, voted.probs, row));
  } finally {
    tf.dispose(views);
  }
}
