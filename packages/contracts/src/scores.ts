import type { Scores } from './artifacts/ensemble.ts';
import { NUM_CLASSES, className } from './labels.ts';
import { accuracy, classScores, confusionMatrix, macroF1 } from './metrics.ts';

const ALL_CLASSES = Array.from({ length: NUM_CLASSES }, (_, c) => c);

/**
 * Scores predicted classes against true ones. `macroF1` is sklearn's f1_score(average="macro")
 * with its default labels=None (the competition metric: classes absent from both lists do not
 * count); `perClass` and `confusion` cover all 18 classes, an absent class scoring 0 with support 0.
 */
export function scoreClasses(yTrue: readonly number[], yPred: readonly number[]): Scores {
  const per = classScores(yTrue, yPred, { labels: ALL_CLASSES, zeroDivision: 0 });
  return {
    n: yTrue.length,
    accuracy: accuracy(yTrue, yPred),
    macroF1: macroF1(yTrue, yPred),
    perClass: ALL_CLASSES.map((cls, i) => ({
      cls,
      name: className(cls),
      precision: per.precision[i]!,
      recall: per.recall[i]!,
      f1: per.f1[i]!,
      support: per.support[i]!,
    })),
    confusion: confusionMatrix(yTrue, yPred, ALL_CLASSES),
  };
}
