import { Rng } from '@facemask/contracts';

/**
 * Person-grouped stratified k-fold. Each person is one group with one stratum (gender x age
 * band), so stratifying groups reduces to dealing each stratum's shuffled people over the folds:
 * every person goes to the fold holding the fewest of that stratum so far, ties to the fold with
 * the fewest people. Per stratum the fold counts then differ by at most one, and so do fold sizes.
 */

export interface FoldMember {
  id: string;
  stratum: number;
}

export function assignFolds(people: readonly FoldMember[], k: number, seed: number): Map<string, number> {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`folds must be an integer >= 2, got ${k}`);
  if (people.length < k) {
    throw new RangeError(`only ${people.length} people for ${k} folds: lower preprocess.folds or add people`);
  }
  const strata = new Map<number, string[]>();
  const ids = new Set<string>();
  for (const p of people) {
    if (ids.has(p.id)) throw new RangeError(`person ${p.id} listed twice`);
    ids.add(p.id);
    const list = strata.get(p.stratum) ?? [];
    list.push(p.id);
    strata.set(p.stratum, list);
  }
  // Big strata first: the small ones then fill whatever imbalance in fold sizes is left.
  const order = [...strata.keys()].sort((a, b) => strata.get(b)!.length - strata.get(a)!.length || a - b);
  const size = new Array<number>(k).fill(0);
  const fold = new Map<string, number>();
  for (const s of order) {
    // Sorting first makes the result independent of the input order; the seeded shuffle then decides.
    const members = Rng.derive(seed, 'folds', s).shuffle([...strata.get(s)!].sort());
    const inStratum = new Array<number>(k).fill(0);
    for (const id of members) {
      let best = 0;
      for (let f = 1; f < k; f++) {
        if (inStratum[f]! < inStratum[best]! || (inStratum[f] === inStratum[best] && size[f]! < size[best]!)) best = f;
      }
      fold.set(id, best);
      inStratum[best]!++;
      size[best]!++;
    }
  }
  return fold;
}

/** counts[f][c]: members of class c in fold f. */
export function foldClassCounts(folds: readonly number[], labels: readonly number[], k: number, numClasses: number): number[][] {
  const counts = Array.from({ length: k }, () => new Array<number>(numClasses).fill(0));
  folds.forEach((f, i) => counts[f]![labels[i]!]!++);
  return counts;
}

/**
 * max over folds f and classes c of |n_fc / n_f - n_c / n|: how far a class's share inside a fold
 * strays from its share overall (the fixture's "within_fold" definition).
 */
export function maxShareDeviationWithinFold(counts: readonly (readonly number[])[]): number {
  const numClasses = counts[0]?.length ?? 0;
  const total = counts.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0);
  if (total === 0) return 0;
  const overall = new Array<number>(numClasses).fill(0);
  for (const row of counts) row.forEach((v, c) => (overall[c]! += v));
  let worst = 0;
  for (const row of counts) {
    const nf = row.reduce((x, y) => x + y, 0);
    if (nf === 0) continue;
    row.forEach((v, c) => (worst = Math.max(worst, Math.abs(v / nf - overall[c]! / total))));
  }
  return worst;
}
