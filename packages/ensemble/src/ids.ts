import { NUM_CLASSES } from '@facemask/core';
import type { Predictions } from '@facemask/train/predictions';
import { EnsembleError } from './errors.ts';

/** How many example ids an error message lists. */
const EXAMPLES = 3;

export function examples(ids: readonly string[], n = EXAMPLES): string {
  const shown = ids.slice(0, n).join(', ');
  return ids.length > n ? `${shown}, …` : shown;
}

/**
 * Row index of every id. Fails on a repeated id (a prediction file listing a photo twice is
 * broken: which row would count?) and on a probs array of the wrong length.
 */
export function indexById(pred: Predictions): Map<string, number> {
  if (pred.probs.length !== pred.ids.length * NUM_CLASSES) {
    throw new EnsembleError(
      `${pred.source} ${pred.split} predictions have ${pred.probs.length} probabilities for ${pred.ids.length} ids ` +
        `(expected ${pred.ids.length} x ${NUM_CLASSES}): regenerate them`,
    );
  }
  if (pred.labels !== null && pred.labels.length !== pred.ids.length) {
    throw new EnsembleError(
      `${pred.source} ${pred.split} predictions have ${pred.labels.length} labels for ${pred.ids.length} ids: regenerate them`,
    );
  }
  const index = new Map<string, number>();
  const repeated: string[] = [];
  pred.ids.forEach((id, row) => {
    if (index.has(id)) repeated.push(id);
    else index.set(id, row);
  });
  if (repeated.length > 0) {
    throw new EnsembleError(
      `${pred.source} ${pred.split} predictions list ${repeated.length} ids more than once, e.g. ${examples(repeated)}: regenerate them`,
    );
  }
  return index;
}

export interface IdDiff {
  /** Reference ids the set lacks, in reference order. */
  missing: string[];
  /** Ids the set has that the reference lacks, in the set's order. */
  extra: string[];
}

export function diffIds(have: readonly string[], reference: readonly string[]): IdDiff {
  const haveSet = new Set(have);
  const refSet = new Set(reference);
  return {
    missing: reference.filter((id) => !haveSet.has(id)),
    extra: have.filter((id) => !refSet.has(id)),
  };
}

/**
 * "round1/fold-3 eval predictions lack 12 ids, e.g. a, b, c: retrain that fold", or null when the
 * sets agree. `fix` is the advice appended to the message.
 */
export function describeIdMismatch(who: string, diff: IdDiff, fix: string): string | null {
  const parts: string[] = [];
  if (diff.missing.length > 0) parts.push(`lack ${diff.missing.length} ids, e.g. ${examples(diff.missing)}`);
  if (diff.extra.length > 0) parts.push(`have ${diff.extra.length} unexpected ids, e.g. ${examples(diff.extra)}`);
  if (parts.length === 0) return null;
  return `${who} ${parts.join(' and ')}: ${fix}`;
}

/** Index of the largest value in row `row` of a row-major [n, NUM_CLASSES] array; the lowest class wins exact ties. */
export function argmaxRow(probs: ArrayLike<number>, row: number): number {
  const base = row * NUM_CLASSES;
  let best = 0;
  let bestValue = probs[base] ?? Number.NEGATIVE_INFINITY;
  for (let c = 1; c < NUM_CLASSES; c++) {
    const v = probs[base + c] ?? Number.NEGATIVE_INFINITY;
    if (v > bestValue) {
      best = c;
      bestValue = v;
    }
  }
  return best;
}

/** The predicted class (argmax) of every row. */
export function predictedClasses(pred: Pick<Predictions, 'ids' | 'probs'>): number[] {
  return pred.ids.map((_, row) => argmaxRow(pred.probs, row));
}
