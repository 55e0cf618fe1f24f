import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORRECTION_FIELDS, genderName, parseGender, type CorrectionField } from '@facemask/contracts';
import { readInputCsv } from './csv-input.ts';
import { fatal, type Issues } from './issues.ts';
import { type Person } from './labels.ts';

/**
 * User-supplied label fixes: a CSV `id,field,value` (any further column, e.g. `note`, is ignored).
 * gender -> male|female, age -> whole years, swap_incorrect_normal -> true (the person's
 * incorrect_mask and normal photos carry each other's label).
 */


export interface Correction {
  id: string;
  field: CorrectionField;
  /** Normalised: "male"/"female", an age in digits, or "true". */
  value: string;
  /** 1-based data row in the file. */
  row: number;
}

export interface AppliedCorrection {
  id: string;
  field: CorrectionField;
  from: string;
  to: string;
}

export interface IgnoredCorrection {
  id: string;
  field: CorrectionField;
  value: string;
  reason: string;
}

export interface CorrectedPerson extends Person {
  /** What was changed, e.g. ["gender:female->male", "swap_incorrect_normal"]. */
  corrections: string[];
  swapIncorrectNormal: boolean;
}

/** The fixes competitors published for the real competition set, shipped in the repo. */
export const BUILTIN_CORRECTIONS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../data/corrections/competition-fixes.csv');

/** config.preprocess.corrections -> a file path (null: no corrections). */
export function correctionsPath(setting: string | null): string | null {
  if (setting === null) return null;
  return setting === 'builtin' ? BUILTIN_CORRECTIONS : setting;
}

const TRUE_VALUES = new Set(['true', '1', 'yes']);

export async function readCorrections(path: string): Promise<Correction[]> {
  const recs = await readInputCsv(path, ['id', 'field', 'value'], 'the corrections file (preprocess.corrections)');
  const seen = new Map<string, number>();
  return recs.map((r, i) => {
    const row = i + 1;
    const id = r.id ?? '';
    const field = (r.field ?? '').toLowerCase();
    const raw = r.value ?? '';
    const at = `row ${row} (id ${id || '<empty>'})`;
    if (!id) fatal(path, `${at} has an empty id`, 'fill in the person id as train.csv spells it');
    if (!(CORRECTION_FIELDS as readonly string[]).includes(field)) {
      fatal(path, `${at} has field "${r.field}"`, `use one of ${CORRECTION_FIELDS.join(', ')}`);
    }
    const f = field as CorrectionField;
    const key = `${id}\u0000${f}`;
    const dup = seen.get(key);
    if (dup !== undefined) fatal(path, `${at} repeats the ${f} correction of row ${dup}`, 'keep one row per id and field');
    seen.set(key, row);
    let value: string;
    if (f === 'gender') {
      try {
        value = genderName(parseGender(raw));
      } catch {
        fatal(path, `${at}: gender value "${raw}"`, 'use male or female');
      }
    } else if (f === 'age') {
      if (!/^\d+$/.test(raw.trim())) fatal(path, `${at}: age value "${raw}"`, 'use a whole number of years');
      value = String(Number(raw.trim()));
    } else {
      if (!TRUE_VALUES.has(raw.trim().toLowerCase())) fatal(path, `${at}: swap_incorrect_normal value "${raw}"`, 'use true');
      value = 'true';
    }
    return { id, field: f, value, row };
  });
}

/**
 * Applies corrections to people (pure: returns new records). An id not in the data is a warning,
 * not an error, since the shipped file targets the real set; a correction that changes nothing
 * is reported as ignored.
 */
export function applyCorrections(
  people: readonly Person[],
  corrections: readonly Correction[],
  source: string,
  issues: Issues,
  log: (line: string) => void = () => {},
): { people: CorrectedPerson[]; applied: AppliedCorrection[]; ignored: IgnoredCorrection[] } {
  const out = people.map((p): CorrectedPerson => ({ ...p, corrections: [], swapIncorrectNormal: false }));
  const byId = new Map(out.map((p) => [p.id, p]));
  const applied: AppliedCorrection[] = [];
  const ignored: IgnoredCorrection[] = [];
  for (const c of corrections) {
    const p = byId.get(c.id);
    const ignore = (reason: string) => {
      ignored.push({ id: c.id, field: c.field, value: c.value, reason });
      issues.warn(`correction ${c.field}=${c.value} for id ${c.id} (${source} row ${c.row}) ignored: ${reason}`);
    };
    if (!p) {
      ignore('no person with this id in the data');
      continue;
    }
    let from: string;
    if (c.field === 'gender') {
      from = genderName(p.gender);
      if (from === c.value) {
        ignore(`already ${from}`);
        continue;
      }
      p.gender = parseGender(c.value);
    } else if (c.field === 'age') {
      from = String(p.age);
      if (from === c.value) {
        ignore(`age already ${from}`);
        continue;
      }
      p.age = Number(c.value);
    } else {
      from = 'false';
      p.swapIncorrectNormal = true;
    }
    const label = c.field === 'swap_incorrect_normal' ? c.field : `${c.field}:${from}->${c.value}`;
    p.corrections.push(label);
    applied.push({ id: c.id, field: c.field, from, to: c.value });
    log(`correction: ${p.folder}: ${label} (${source} row ${c.row})`);
  }
  return { people: out, applied, ignored };
}
