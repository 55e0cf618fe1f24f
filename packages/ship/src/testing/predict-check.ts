import { basename } from 'node:path';
import { parseCsv, readCsv } from '@facemask/contracts';

/**
 * `pnpm predict --format csv` output beside submission.csv, for a test's toEqual: each submitted
 * row as [ImageID, class], once with the class predict gave the photo of that name and once with
 * the submitted one, and how many photos predict answered for (the same count: no photo more).
 */
export async function predictedVsSubmitted(predictCsv: string, submission: string): Promise<{ predicted: [string, number | undefined][]; submitted: [string, number][]; answered: number }> {
  const rows = parseCsv(predictCsv, 'predict output', ['path', 'class', 'mask', 'gender', 'age', 'confidence']);
  const byPhoto = new Map(rows.map((x) => [basename(x.path!), Number(x.class)]));
  const sub = await readCsv(submission, ['ImageID', 'ans']);
  return {
    predicted: sub.map((s) => [s.ImageID!, byPhoto.get(s.ImageID!)]),
    submitted: sub.map((s) => [s.ImageID!, Number(s.ans)]),
    answered: byPhoto.size,
  };
}
