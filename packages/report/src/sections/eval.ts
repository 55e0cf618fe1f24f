import { decodeClass, shownPath, WORKSPACE_ROOT, type Scores } from '@facemask/contracts';
import { esc, fmt, missingNote, para } from '../html.ts';
import type { SubmissionInputs } from '../inputs.ts';
import type { Loaded } from '../loaded.ts';
import { htmlBlock, type Block, type Section } from '../section.ts';
import type { WrongPrediction } from '../worst.ts';
import { confusionScoresBlock, perClassScoresBlock } from './oof.ts';
import { worstHtml, type Thumb } from './photos.ts';

export const EVAL_PERCLASS_CHART_ID = 'perclass-eval';
export const EVAL_CONFUSION_CHART_ID = 'confusion-eval';

/** The eval photos the ensemble got most confidently wrong, with their thumbnails. */
export interface EvalWorst {
  list: Loaded<WrongPrediction[]>;
  thumbs: ReadonlyMap<string, Thumb>;
}

/** Share of photos whose mask state, gender and age band were each predicted right, from an 18x18 confusion matrix. */
export function factorAccuracies(confusion: readonly (readonly number[])[]): { mask: number; gender: number; age: number } {
  let n = 0;
  const hits = { mask: 0, gender: 0, age: 0 };
  confusion.forEach((row, t) =>
    row.forEach((count, p) => {
      n += count;
      const a = decodeClass(t);
      const b = decodeClass(p);
      if (a.mask === b.mask) hits.mask += count;
      if (a.gender === b.gender) hits.gender += count;
      if (a.ageBand === b.ageBand) hits.age += count;
    }),
  );
  return n === 0 ? { mask: 0, gender: 0, age: 0 } : { mask: hits.mask / n, gender: hits.gender / n, age: hits.age / n };
}

export function scoreHtml(s: Scores): string {
  const f = factorAccuracies(s.confusion);
  return [
    `<p class="stats"><span><b>${fmt.score(s.macroF1)}</b> eval macro F1</span><span><b>${fmt.pct(s.accuracy)}</b> accuracy</span><span><b>${fmt.int(s.n)}</b> photos</span></p>`,
    para(`Right per factor: mask state ${fmt.pct(f.mask)}, gender ${fmt.pct(f.gender)}, age band ${fmt.pct(f.age)}.`),
  ].join('\n');
}

/**
 * The eval score and, when the labels are there, what the out-of-fold section shows for the
 * training photos: per-class F1, the confusion matrix and the worst photos.
 */
export function evalSection(sub: SubmissionInputs, evalLabels: string | null, worst: EvalWorst | null = null): Section {
  const parts: string[] = [];
  const blocks: Block[] = [];
  if (sub.answers.ok) parts.push(`<p>Submission <code>${esc(shownPath(sub.path, WORKSPACE_ROOT))}</code>: ${fmt.int(sub.answers.value.size)} rows from the round ${sub.round} ensemble.</p>`);
  if (sub.score === null || evalLabels === null) {
    parts.push(para('Eval labels unknown (config data.evalLabels is not set): the submission is not scored here.'));
  } else if (!sub.score.ok) {
    parts.push(missingNote(`Eval score not available: ${sub.score.problem}`));
  } else {
    parts.push(para(`Scored against ${shownPath(evalLabels, WORKSPACE_ROOT)}.`, 'hint'), scoreHtml(sub.score.value));
    blocks.push(perClassScoresBlock(EVAL_PERCLASS_CHART_ID, sub.score.value, 'eval'), confusionScoresBlock(EVAL_CONFUSION_CHART_ID, sub.score.value, 'eval'));
    if (worst !== null) blocks.push(htmlBlock(worstHtml(sub.round, worst.list, worst.thumbs, 'eval')));
  }
  return { id: 'eval', title: 'Eval score', blocks: [htmlBlock(parts.join('\n')), ...blocks] };
}
