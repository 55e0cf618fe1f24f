import { encodeClass, maskOfKind, NUM_CLASSES, type Mask } from '@facemask/contracts';
import { type Sample } from '@facemask/contracts';
import { type CorrectedPerson } from './corrections.ts';
import { assignFolds, foldClassCounts, maxShareDeviationWithinFold } from './folds.ts';
import { ageBandOf, droppedBy, personStratum, type AgeOptions } from './labels.ts';

export interface DroppedPerson {
  id: string;
  age: number;
  photos: number;
}

export interface BuiltSamples {
  samples: Sample[];
  dropped: DroppedPerson[];
  /** Fold of every person in the samples. */
  folds: Map<string, number>;
  /** Person 6-class label of every person in the samples. */
  strata: Map<string, number>;
}

function maskOf(kind: Sample['kind'], swap: boolean): Mask {
  const m = maskOfKind(kind);
  if (!swap || m === 0) return m;
  return m === 1 ? 2 : 1;
}

/**
 * Labels every cached photo of every kept person and gives it its person's fold. People whose
 * (corrected) age falls in a drop range are left out and listed.
 */
export function buildSamples(
  people: readonly CorrectedPerson[],
  ages: AgeOptions,
  cacheIndexOf: ReadonlyMap<string, number>,
  k: number,
  seed: number,
): BuiltSamples {
  const dropped: DroppedPerson[] = [];
  const kept: CorrectedPerson[] = [];
  for (const p of people) {
    const cached = p.photos.filter((ph) => cacheIndexOf.has(ph.id)).length;
    if (droppedBy(p.age, ages.dropAgeRanges)) dropped.push({ id: p.id, age: p.age, photos: cached });
    else if (cached > 0) kept.push(p);
  }
  const strata = new Map(kept.map((p) => [p.id, personStratum(p.gender, ageBandOf(p.age, ages))]));
  const folds = assignFolds(
    kept.map((p) => ({ id: p.id, stratum: strata.get(p.id)! })),
    k,
    seed,
  );
  const samples: Sample[] = [];
  for (const p of kept) {
    const band = ageBandOf(p.age, ages);
    const personLevel = p.corrections.filter((c) => c !== 'swap_incorrect_normal');
    for (const ph of p.photos) {
      const cacheIndex = cacheIndexOf.get(ph.id);
      if (cacheIndex === undefined) continue;
      const mask = maskOf(ph.kind, p.swapIncorrectNormal);
      const swapped = mask !== maskOfKind(ph.kind);
      const applied = swapped ? [...personLevel, 'swap_incorrect_normal'] : personLevel;
      samples.push({
        id: ph.id,
        path: ph.path,
        personId: p.id,
        kind: ph.kind,
        mask,
        gender: p.gender,
        age: p.age,
        ageBand: band,
        cls: encodeClass(mask, p.gender, band),
        fold: folds.get(p.id)!,
        correction: applied.length > 0 ? applied.join('; ') : null,
        cacheIndex,
      });
    }
  }
  return { samples, dropped, folds, strata };
}

export interface FoldStats {
  classCounts: number[];
  foldPeople: number[];
  foldSamples: number[];
  foldClassCounts: number[][];
  person6WithinFold: number;
  image18WithinFold: number;
}

export function foldStats(built: BuiltSamples, k: number): FoldStats {
  const ids = [...built.folds.keys()];
  const person6 = foldClassCounts(
    ids.map((id) => built.folds.get(id)!),
    ids.map((id) => built.strata.get(id)!),
    k,
    6,
  );
  const image18 = foldClassCounts(
    built.samples.map((s) => s.fold),
    built.samples.map((s) => s.cls),
    k,
    NUM_CLASSES,
  );
  const classCounts = new Array<number>(NUM_CLASSES).fill(0);
  for (const s of built.samples) classCounts[s.cls]!++;
  return {
    classCounts,
    foldPeople: person6.map((row) => row.reduce((a, b) => a + b, 0)),
    foldSamples: image18.map((row) => row.reduce((a, b) => a + b, 0)),
    foldClassCounts: image18,
    person6WithinFold: maxShareDeviationWithinFold(person6),
    image18WithinFold: maxShareDeviationWithinFold(image18),
  };
}
