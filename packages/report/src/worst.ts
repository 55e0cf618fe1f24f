import { argmaxRow, NUM_CLASSES, type Predictions } from '@facemask/contracts';

export interface WrongPrediction {
  id: string;
  trueCls: number;
  predCls: number;
  /** Probability of the predicted (wrong) class. */
  confidence: number;
  /** Probability the model gave the true class. */
  trueProb: number;
}

/**
 * The out-of-fold photos the model got most confidently wrong: misclassified rows by the
 * probability of the predicted class, highest first (ties by id, so the pick is stable).
 */
export function worstPredictions(oof: Predictions, limit: number): WrongPrediction[] {
  if (oof.labels === null) throw new Error(`${oof.source}: predictions without labels have no wrong answers to show`);
  const wrong: WrongPrediction[] = [];
  oof.ids.forEach((id, row) => {
    const trueCls = oof.labels![row]!;
    const predCls = argmaxRow(oof.probs, row);
    if (predCls === trueCls) return;
    wrong.push({ id, trueCls, predCls, confidence: oof.probs[row * NUM_CLASSES + predCls]!, trueProb: oof.probs[row * NUM_CLASSES + trueCls]! });
  });
  wrong.sort((a, b) => b.confidence - a.confidence || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return wrong.slice(0, limit);
}
