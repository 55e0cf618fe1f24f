import { readCsv } from '../csv.ts';
import type { Scores } from '../artifacts/ensemble.ts';
import { diffIds, examples } from '../ids.ts';
import { scoreClasses } from '../scores.ts';
import { parseAnswer } from './answers.ts';
import { SubmitError } from './errors.ts';

/** Reads an `ImageID,ans` file into id -> class, failing on repeated ids and invalid classes. */
export async function readAnswers(path: string, what: string): Promise<Map<string, number>> {
  const rows = await readCsv(path, ['ImageID', 'ans']);
  const out = new Map<string, number>();
  const repeated: string[] = [];
  const bad: string[] = [];
  rows.forEach((r, i) => {
    const id = r.ImageID ?? '';
    const ans = parseAnswer(r.ans ?? '');
    if ('error' in ans) bad.push(`row ${i + 1}${id ? ` (${id})` : ''}: "${r.ans ?? ''}" is ${ans.error}`);
    else if (out.has(id)) repeated.push(id);
    else out.set(id, ans.cls);
  });
  if (bad.length > 0) throw new SubmitError(`${what} ${path}: ${bad.length} rows have an invalid ans, e.g. ${bad.slice(0, 3).join('; ')}`);
  if (repeated.length > 0) throw new SubmitError(`${what} ${path} lists ${repeated.length} ImageIDs twice, e.g. ${examples(repeated)}`);
  if (out.size === 0) throw new SubmitError(`${what} ${path} has no rows`);
  return out;
}

/**
 * Scores a submission against known eval labels (`ImageID,ans`, e.g. the synthetic generator's
 * eval_labels.csv): macro F1 as the competition computes it (sklearn's default labels), accuracy,
 * per-class scores and the confusion matrix. Row order does not matter here; both files must
 * cover the same ImageIDs.
 */
export async function scoreSubmission(submissionPath: string, labelsCsv: string): Promise<Scores> {
  const predicted = await readAnswers(submissionPath, 'submission');
  const truth = await readAnswers(labelsCsv, 'labels file');
  const { missing, extra } = diffIds([...predicted.keys()], [...truth.keys()]);
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`lacks ${missing.length} ImageIDs of the labels, e.g. ${examples(missing)}`);
  if (extra.length > 0) parts.push(`has ${extra.length} ImageIDs the labels lack, e.g. ${examples(extra)}`);
  if (parts.length > 0) {
    throw new SubmitError(`submission ${submissionPath} ${parts.join(' and ')}: it must cover exactly the ImageIDs of ${labelsCsv} (check it with \`submit validate\`)`);
  }
  const ids = [...truth.keys()];
  return scoreClasses(
    ids.map((id) => truth.get(id)!),
    ids.map((id) => predicted.get(id)!),
  );
}
