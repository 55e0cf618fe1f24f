import { readCsv } from './csv.ts';

export class EvalIdsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalIdsError';
  }
}

/** "a, b, c, …": the first few of a list of ids, for error messages. */
export function examples(ids: readonly string[], n = 3): string {
  const shown = ids.slice(0, n).join(', ');
  return ids.length > n ? `${shown}, …` : shown;
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

export interface IdDiff {
  /** Reference ids the set lacks, in reference order. */
  missing: string[];
  /** Ids the set has that the reference lacks, in the set's order. */
  extra: string[];
}

export function diffIds(have: readonly string[], reference: readonly string[]): IdDiff {
  const haveSet = new Set(have);
  const refSet = new Set(reference);
  return {
    missing: reference.filter((id) => !haveSet.has(id)),
    extra: have.filter((id) => !refSet.has(id)),
  };
}

/**
 * "round1/fold-3 eval predictions lack 12 ids, e.g. a, b, c: retrain that fold", or null when the
 * sets agree. `fix` is the advice appended to the message.
 */
export function describeIdMismatch(who: string, diff: IdDiff, fix: string): string | null {
  const parts: string[] = [];
  if (diff.missing.length > 0) parts.push(`lack ${diff.missing.length} ids, e.g. ${examples(diff.missing)}`);
  if (diff.extra.length > 0) parts.push(`have ${diff.extra.length} unexpected ids, e.g. ${examples(diff.extra)}`);
  if (parts.length === 0) return null;
  return `${who} ${parts.join(' and ')}: ${fix}`;
}
