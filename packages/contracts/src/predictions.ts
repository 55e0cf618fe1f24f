import { ArtifactError } from './artifact-error.ts';
import type { Predictions } from './artifacts/train.ts';
import { examples } from './ids.ts';
import { NUM_CLASSES } from './labels.ts';

/** Reading prediction artifacts: argmax per row, and the row of every id. */

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

/**
 * Row index of every id. Fails on a repeated id (a prediction file listing a photo twice is
 * broken: which row would count?) and on a probs array of the wrong length.
 */
export function indexById(pred: Predictions): Map<string, number> {
  if (pred.probs.length !== pred.ids.length * NUM_CLASSES) {
    throw new ArtifactError(
      `${pred.source} ${pred.split} predictions have ${pred.probs.length} probabilities for ${pred.ids.length} ids ` +
        `(expected ${pred.ids.length} x ${NUM_CLASSES}): regenerate them`,
    );
  }
  if (pred.labels !== null && pred.labels.length !== pred.ids.length) {
    throw new ArtifactError(`${pred.source} ${pred.split} predictions have ${pred.labels.length} labels for ${pred.ids.length} ids: regenerate them`);
  }
  const index = new Map<string, number>();
  const repeated: string[] = [];
  pred.ids.forEach((id, row) => {
    if (index.has(id)) repeated.push(id);
    else index.set(id, row);
  });
  if (repeated.length > 0) {
    throw new ArtifactError(`${pred.source} ${pred.split} predictions list ${repeated.length} ids more than once, e.g. ${examples(repeated)}: regenerate them`);
  }
  return index;
}
