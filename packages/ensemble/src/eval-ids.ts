import { join } from 'node:path';
import { readCsv } from '@facemask/core';
import { EnsembleError } from './errors.ts';
import { examples } from './ids.ts';

/** `<data.root>/eval/info.csv`: the eval photos, in the order the submission must follow. */
export function infoCsvPath(dataRoot: string): string {
  return join(dataRoot, 'eval', 'info.csv');
}

/** The ImageIDs of an info.csv in file order; fails on an empty, repeated or missing id. */
export async function readEvalIds(infoCsv: string): Promise<string[]> {
  const rows = await readCsv(infoCsv, ['ImageID']);
  const ids = rows.map((r) => r.ImageID ?? '');
  const blank = ids.findIndex((id) => id === '');
  if (blank >= 0) throw new EnsembleError(`${infoCsv}: row ${blank + 1} has an empty ImageID: restore the competition's info.csv`);
  const seen = new Set<string>();
  const repeated = ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
  if (repeated.length > 0) {
    throw new EnsembleError(`${infoCsv} lists ${repeated.length} ImageIDs twice, e.g. ${examples(repeated)}: restore the competition's info.csv`);
  }
  if (ids.length === 0) throw new EnsembleError(`${infoCsv} has no rows: restore the competition's info.csv`);
  return ids;
}
