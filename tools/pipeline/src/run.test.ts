import { describe, expect, it } from 'vitest';
import { resultLines } from './run.ts';

describe('resultLines', () => {
  it('ends with the submission path, the eval score before it when scored, the report before the closing lines', () => {
    const r = { oofMacroF1: 0.91234, evalMacroF1: 0.5, submission: '/w/submission.csv', report: '/w/report/index.html' };
    expect(resultLines(r)).toEqual(['report: /w/report/index.html', 'out-of-fold macro-F1: 0.9123', 'eval macro-F1: 0.5000', 'submission: /w/submission.csv']);
    expect(resultLines(r, 'always')).toEqual(resultLines(r));
  });

  it('leaves the eval line out without eval labels, unless asked to always print it', () => {
    const r = { oofMacroF1: 0.4, evalMacroF1: null, submission: 's.csv', report: 'r.html' };
    expect(resultLines(r)).toEqual(['report: r.html', 'out-of-fold macro-F1: 0.4000', 'submission: s.csv']);
    expect(resultLines(r, 'always')).toEqual(['report: r.html', 'out-of-fold macro-F1: 0.4000', 'eval macro-F1: n/a (no eval labels)', 'submission: s.csv']);
  });
});
