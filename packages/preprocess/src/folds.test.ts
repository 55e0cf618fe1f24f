import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ageBand, parseCsv, parseGender } from '@facemask/contracts';
import { referenceCases, referenceDir, selectJson, type ReferenceCase } from '@facemask/contracts/reference';
import { assignFolds, foldClassCounts, maxShareDeviationWithinFold } from './folds.ts';

interface KfoldFixture {
  params: { n_splits: number; random_state: number };
  person_label6: number[];
  overall_counts_person6: number[];
  suggested_max_person6_within_fold: number;
  assignments: Record<string, { fold_of_person: number[]; max_share_deviation: { person6_within_fold: number } }>;
}

function loadCase(c: ReferenceCase) {
  const dir = referenceDir();
  const people = parseCsv(readFileSync(resolve(dir, c.files.people!), 'utf8'), c.files.people!, ['id', 'gender', 'age']);
  const data = selectJson(c) as KfoldFixture;
  const strata = people.map((p) => parseGender(p.gender!) * 3 + ageBand(Number(p.age)));
  return { people, data, strata };
}

const cases = referenceCases('stratified_group_kfold');

describe('assignFolds on the reference people', () => {
  it('has fixture cases', () => expect(cases.length).toBeGreaterThan(0));

  for (const c of cases) {
    it(`${c.id}: grouped, ${c.params.n_splits} folds of near-equal size, share deviation within the fixture's bound`, () => {
      const { people, data, strata } = loadCase(c);
      // Our labels reproduce the fixture's, so the deviation below is measured on the same classes.
      expect(strata).toEqual(data.person_label6);
      const k = c.params.n_splits as number;
      const seed = c.params.random_state as number;
      const members = people.map((p, i) => ({ id: p.id!, stratum: strata[i]! }));
      const folds = assignFolds(members, k, seed);
      expect(folds.size).toBe(people.length);
      const foldOf = members.map((m) => folds.get(m.id)!);
      for (const f of foldOf) expect(f >= 0 && f < k).toBe(true);
      const counts = foldClassCounts(foldOf, strata, k, 6);
      const sizes = counts.map((r) => r.reduce((a, b) => a + b, 0));
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(2);
      const dev = maxShareDeviationWithinFold(counts);
      const tol = c.tolerances.person6_within_fold_max_share_deviation as { suggested_max: number };
      expect(dev).toBeLessThanOrEqual(tol.suggested_max);
      expect(dev).toBeLessThanOrEqual(data.suggested_max_person6_within_fold);
    });

    it(`${c.id}: the deviation measure reproduces the fixture's numbers for sklearn's folds`, () => {
      const { data, strata } = loadCase(c);
      const k = c.params.n_splits as number;
      for (const a of Object.values(data.assignments)) {
        const dev = maxShareDeviationWithinFold(foldClassCounts(a.fold_of_person, strata, k, 6));
        expect(dev).toBeCloseTo(a.max_share_deviation.person6_within_fold, 12);
      }
    });

    it(`${c.id}: same seed same folds, another seed other folds, input order irrelevant`, () => {
      const { people, strata } = loadCase(c);
      const members = people.map((p, i) => ({ id: p.id!, stratum: strata[i]! }));
      const a = assignFolds(members, 5, 11);
      const b = assignFolds([...members].reverse(), 5, 11);
      const other = assignFolds(members, 5, 12);
      expect([...b.entries()].sort()).toEqual([...a.entries()].sort());
      expect(members.filter((m) => a.get(m.id) !== other.get(m.id)).length).toBeGreaterThan(members.length / 2);
    });
  }
});

describe('assignFolds edge cases', () => {
  it('rejects fewer people than folds, k < 2 and a person listed twice', () => {
    expect(() => assignFolds([{ id: 'a', stratum: 0 }], 2, 1)).toThrow(/only 1 people for 2 folds/);
    expect(() => assignFolds([{ id: 'a', stratum: 0 }], 1, 1)).toThrow(/>= 2/);
    expect(() => assignFolds([{ id: 'a', stratum: 0 }, { id: 'a', stratum: 1 }], 2, 1)).toThrow(/listed twice/);
  });

  it('spreads a stratum evenly: per-fold counts differ by at most one', () => {
    const members = Array.from({ length: 103 }, (_, i) => ({ id: `p${i}`, stratum: i % 4 === 0 ? 5 : i % 2 }));
    const folds = assignFolds(members, 4, 3);
    const counts = foldClassCounts(members.map((m) => folds.get(m.id)!), members.map((m) => m.stratum), 4, 6);
    for (let c = 0; c < 6; c++) {
      const col = counts.map((r) => r[c]!);
      expect(Math.max(...col) - Math.min(...col)).toBeLessThanOrEqual(1);
    }
    const sizes = counts.map((r) => r.reduce((x, y) => x + y, 0));
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });
});
