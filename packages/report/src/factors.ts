import { accuracy, AGE_BANDS, confusionMatrix, decodeClass, GENDERS, macroF1, MASK_STATES } from '@facemask/contracts';

export type Factor = 'mask' | 'gender' | 'age';

export interface FactorScores {
  factor: Factor;
  /** Names of the factor's values, in id order. */
  labels: readonly string[];
  /** confusion[true][predicted] over all the factor's values. */
  confusion: number[][];
  accuracy: number;
  /** sklearn's macro F1 (labels=None) of the factor alone. */
  macroF1: number;
}

const FACTORS: { factor: Factor; labels: readonly string[]; of: (cls: number) => number }[] = [
  { factor: 'mask', labels: MASK_STATES, of: (c) => decodeClass(c).mask },
  { factor: 'gender', labels: GENDERS, of: (c) => decodeClass(c).gender },
  { factor: 'age', labels: AGE_BANDS, of: (c) => decodeClass(c).ageBand },
];

/**
 * The 18-class predictions seen one factor at a time: mask state (3x3), gender (2x2) and age band
 * (3x3), each with its accuracy and macro F1 (sklearn conventions, from contracts' metrics).
 */
export function factorScores(yTrue: readonly number[], yPred: readonly number[]): FactorScores[] {
  return FACTORS.map(({ factor, labels, of }) => {
    const t = yTrue.map(of);
    const p = yPred.map(of);
    return {
      factor,
      labels,
      confusion: confusionMatrix(t, p, labels.map((_, i) => i)),
      accuracy: accuracy(t, p),
      macroF1: macroF1(t, p),
    };
  });
}
