import { ageBand, genderName, parseGender, type AgeBand, type Gender } from '@facemask/contracts';
import { readInputCsv } from './csv-input.ts';
import { type Issues } from './issues.ts';
import { dataLayout, TRAIN_CSV_COLUMNS } from '@facemask/contracts';
import { type PersonFolder, type PhotoFile } from './scan.ts';

/** A person whose train.csv row and folder agree. */
export interface Person {
  id: string;
  folder: string;
  path: string;
  race: string;
  gender: Gender;
  age: number;
  photos: PhotoFile[];
}

export interface TrainRow {
  /** 1-based data row (the header is row 0). */
  row: number;
  id: string;
  gender: string;
  race: string;
  age: string;
  path: string;
}

export async function readTrainCsv(root: string): Promise<TrainRow[]> {
  const recs = await readInputCsv(dataLayout.trainCsv(root), TRAIN_CSV_COLUMNS, 'train/train.csv');
  return recs.map((r, i) => ({
    row: i + 1,
    id: r.id ?? '',
    gender: r.gender ?? '',
    race: r.race ?? '',
    age: r.age ?? '',
    path: r.path ?? '',
  }));
}

const RELABEL_HINT = 'make train.csv and the folder name agree (to relabel a person, use a corrections file: preprocess.corrections)';

/**
 * Pairs train.csv rows with person folders (by the row's `path`), checking that id, gender and age
 * agree. Every row needs a folder and every folder a row.
 */
export function matchPeople(rows: readonly TrainRow[], folders: readonly PersonFolder[], root: string, issues: Issues): Person[] {
  const csv = dataLayout.trainCsv(root);
  const byName = new Map(folders.map((f) => [f.folder, f]));
  const used = new Set<string>();
  const firstRowOfId = new Map<string, number>();
  const people: Person[] = [];
  for (const r of rows) {
    const where = `row ${r.row} (id ${r.id || '<empty>'})`;
    if (!r.id) {
      issues.bad(csv, `${where} has an empty id`, 'fill in the id or delete the row');
      continue;
    }
    const first = firstRowOfId.get(r.id);
    if (first !== undefined) {
      used.add(r.path);
      issues.bad(csv, `duplicate id ${r.id} on rows ${first} and ${r.row}`, 'give each person one row with a unique id');
      continue;
    }
    firstRowOfId.set(r.id, r.row);
    let gender: Gender;
    try {
      gender = parseGender(r.gender);
    } catch {
      issues.bad(csv, `${where} has gender "${r.gender}"`, 'use male or female');
      continue;
    }
    if (!/^\d+$/.test(r.age)) {
      issues.bad(csv, `${where} has age "${r.age}"`, 'use a whole number of years');
      continue;
    }
    const age = Number(r.age);
    const folder = byName.get(r.path);
    if (!folder) {
      const sameId = folders.find((f) => f.id === r.id && !used.has(f.folder));
      if (sameId) {
        used.add(sameId.folder);
        issues.bad(csv, `${where} names folder "${r.path}" but the folder of id ${r.id} is "${sameId.folder}"`, RELABEL_HINT);
      } else {
        issues.bad(csv, `${where} has no folder: train/images/${r.path} does not exist`, 'add the folder or delete the row');
      }
      continue;
    }
    used.add(folder.folder);
    const diffs: string[] = [];
    if (folder.id !== r.id) diffs.push(`id ${r.id} vs ${folder.id}`);
    if (folder.gender !== gender) diffs.push(`gender ${genderName(gender)} vs ${genderName(folder.gender)}`);
    if (folder.age !== age) diffs.push(`age ${age} vs ${folder.age}`);
    if (diffs.length > 0) {
      issues.bad(
        folder.path,
        `train.csv ${where} and the folder name "${folder.folder}" disagree (csv vs folder: ${diffs.join(', ')})`,
        RELABEL_HINT,
      );
      continue;
    }
    people.push({ id: r.id, folder: folder.folder, path: folder.path, race: r.race, gender, age, photos: folder.photos });
  }
  for (const f of folders) {
    if (!used.has(f.folder)) {
      issues.bad(f.path, `person folder "${f.folder}" has no row in ${csv}`, 'add its row to train.csv or remove the folder');
    }
  }
  return people.sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0));
}

export interface AgeOptions {
  oldAgeThreshold: number;
  youngAgeThreshold: number;
  dropAgeRanges: readonly (readonly [number, number])[];
}

export function ageBandOf(age: number, opts: AgeOptions): AgeBand {
  return ageBand(age, opts.oldAgeThreshold, opts.youngAgeThreshold);
}

/** The inclusive drop range an age falls in, or null. */
export function droppedBy(age: number, ranges: AgeOptions['dropAgeRanges']): readonly [number, number] | null {
  return ranges.find(([lo, hi]) => age >= lo && age <= hi) ?? null;
}

/** Person-level 6-class label, what folds stratify on. */
export function personStratum(gender: Gender, band: AgeBand): number {
  return gender * 3 + band;
}
