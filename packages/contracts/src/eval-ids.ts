import { readCsv } from './csv.ts';
import { examples } from './ids.ts';

export class EvalIdsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalIdsError';
  }
}

/** The ImageIDs of an eval/info.csv (dataLayout.infoCsv) in file order; fails on an empty, repeated or missing id. */
export async function readEvalIds(infoCsv: string): Promise<string[]> {
  const rows = await readCsv(infoCsv, ['ImageID']);
  const ids = rows.map((r) => r.ImageID ?? '');
  const blank = ids.findIndex((id) => id === '');
  if (blank >= 0) throw new EvalIdsError(`${infoCsv}: row ${blank + 1} has an empty ImageID: restore the competition's info.csv`);
  const seen = new Set<string>();
  const repeated = ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
  if (repeated.length > 0) {
    throw new EvalIdsError(`${infoCsv} lists ${repeated.length} ImageIDs twice, e.g. ${examples(repeated)}: restore the competition's info.csv`);
  }
  if (ids.length === 0) throw new EvalIdsError(`${infoCsv} has no rows: restore the competition's info.csv`);
  return ids;
}
