/** Comparing lists of photo ids, for messages that say which ids are missing or extra. */

/** "a, b, c, …": the first few of a list of ids, for error messages. */
export function examples(ids: readonly string[], n = 3): string {
  const shown = ids.slice(0, n).join(', ');
  return ids.length > n ? `${shown}, …` : shown;
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
