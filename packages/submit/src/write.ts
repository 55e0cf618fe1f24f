import { NUM_CLASSES, writeCsv, argmaxRow, describeIdMismatch, diffIds, indexById, readEvalIds, SubmitError, type Predictions } from '@facemask/contracts';
import { validateSubmission } from './validate.ts';

export const SUBMISSION_COLUMNS = ['ImageID', 'ans'] as const;

/**
 * Writes `ImageID,ans` with one row per info.csv ImageID, in info.csv order, ans = the argmax of
 * the predictions. The file is written atomically and then validated, so a submission on disk is
 * always a whole, valid one.
 */
export async function writeSubmission(pred: Predictions, infoCsvPath: string, outPath: string): Promise<{ path: string; rows: number; counts: number[] }> {
  if (pred.split !== 'eval') {
    throw new SubmitError(`${pred.source} holds ${pred.split} predictions: a submission is written from eval predictions`);
  }
  const index = indexById(pred);
  const ids = await readEvalIds(infoCsvPath);
  const mismatch = describeIdMismatch(
    `${pred.source} eval predictions`,
    diffIds(pred.ids, ids),
    `they were made for a different eval list than ${infoCsvPath}; rerun the pipeline from preprocess`,
  );
  if (mismatch) throw new SubmitError(mismatch);
  const counts = new Array<number>(NUM_CLASSES).fill(0);
  const rows = ids.map((id) => {
    const cls = argmaxRow(pred.probs, index.get(id)!);
    counts[cls]! += 1;
    return [id, cls] as const;
  });
  await writeCsv(outPath, SUBMISSION_COLUMNS, rows);
  const check = await validateSubmission(outPath, infoCsvPath);
  if (!check.ok) throw new SubmitError(`the submission just written to ${outPath} is invalid:\n  ${check.problems.join('\n  ')}`);
  return { path: outPath, rows: rows.length, counts };
}
