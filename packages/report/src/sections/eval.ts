import { decodeClass, type Scores } from '@facemask/contracts';
import { esc, fmt, missingNote, para } from '../html.ts';
import type { SubmissionInputs } from '../inputs.ts';
import { htmlBlock, type Section } from '../section.ts';

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

export function evalSection(sub: SubmissionInputs, evalLabels: string | null): Section {
  const parts: string[] = [];
  if (sub.answers.ok) parts.push(`<p>Submission <code>${esc(sub.path)}</code>: ${fmt.int(sub.answers.value.size)} rows from the round ${sub.round} ensemble.</p>`);
  if (sub.score === null || evalLabels === null) {
    parts.push(para('Eval labels unknown (config data.evalLabels is not set): the submission is not scored here.'));
  } else if (!sub.score.ok) {
    parts.push(missingNote(`Eval score not available: ${sub.score.problem}`));
  } else {
    parts.push(para(`Scored against ${evalLabels}.`, 'hint'), scoreHtml(sub.score.value));
  }
  return { id: 'eval', title: 'Eval score', blocks: [htmlBlock(parts.join('\n'))] };
}
