import { readFile } from 'node:fs/promises';
import { CsvError, parseCsv, examples, readEvalIds, parseAnswer } from '@facemask/contracts';

export interface ValidationResult {
  ok: boolean;
  /** What is wrong, one sentence each; empty when ok. Rows are counted from 1 after the header. */
  problems: string[];
}

const HEADER = 'ImageID,ans';
const SHOWN = 3;

/**
 * Checks a submission against eval/info.csv: the exact header, every ImageID once, in info.csv
 * order, each ans an integer class 0..17. A UTF-8 BOM and CRLF line ends are accepted. Problems
 * with the submission are returned; an unreadable info.csv throws.
 */
export async function validateSubmission(submissionPath: string, infoCsvPath: string): Promise<ValidationResult> {
  const infoIds = await readEvalIds(infoCsvPath);
  const fail = (problem: string): ValidationResult => ({ ok: false, problems: [problem] });

  let text: string;
  try {
    text = await readFile(submissionPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fail(`${submissionPath} does not exist`);
    throw err;
  }
  if (text.replace(/^\uFEFF/, '').trim() === '') return fail(`${submissionPath} is empty: expected the header ${HEADER} and one row per info.csv ImageID`);

  let records: Record<string, string>[];
  try {
    records = parseCsv(text, submissionPath, ['ImageID', 'ans']);
  } catch (err) {
    if (err instanceof CsvError) return fail(err.message);
    throw err;
  }
  const problems: string[] = [];
  const header = records[0] ? Object.keys(records[0]) : ['ImageID', 'ans'];
  if (header.join(',') !== HEADER) problems.push(`${submissionPath}: the header is "${header.join(',')}": expected exactly "${HEADER}"`);
  if (records.length === 0) {
    problems.push(`${submissionPath} has a header but no rows: expected ${infoIds.length} rows, one per info.csv ImageID`);
    return { ok: false, problems };
  }

  const firstRow = new Map<string, number>();
  const repeats = new Map<string, number[]>();
  const blankIds: number[] = [];
  const badValues: string[] = [];
  records.forEach((rec, i) => {
    const row = i + 1;
    const id = rec.ImageID ?? '';
    const ans = parseAnswer(rec.ans ?? '');
    if ('error' in ans) badValues.push(`row ${row}${id ? ` (${id})` : ''}: "${rec.ans ?? ''}" is ${ans.error}`);
    if (id === '') {
      blankIds.push(row);
      return;
    }
    const first = firstRow.get(id);
    if (first === undefined) firstRow.set(id, row);
    else repeats.set(id, [...(repeats.get(id) ?? [first]), row]);
  });

  const infoSet = new Set(infoIds);
  const missing = infoIds.filter((id) => !firstRow.has(id));
  const extra = [...firstRow.keys()].filter((id) => !infoSet.has(id));
  if (missing.length > 0) problems.push(`${missing.length} of the ${infoIds.length} info.csv ImageIDs are missing, e.g. ${examples(missing, SHOWN)}`);
  if (extra.length > 0) problems.push(`${extra.length} ImageIDs are not in info.csv, e.g. ${examples(extra, SHOWN)}`);
  if (repeats.size > 0) {
    const shown = [...repeats].slice(0, SHOWN).map(([id, rows]) => `${id} (rows ${rows.join(', ')})`);
    problems.push(`${repeats.size} ImageIDs appear more than once, e.g. ${shown.join('; ')}${repeats.size > SHOWN ? '; …' : ''}`);
  }
  if (blankIds.length > 0) problems.push(`${blankIds.length} rows have an empty ImageID: rows ${examples(blankIds.map(String), SHOWN)}`);
  if (badValues.length > 0) {
    problems.push(
      `${badValues.length} rows have an invalid ans (an integer class 0..17 is required), e.g. ${badValues.slice(0, SHOWN).join('; ')}${badValues.length > SHOWN ? '; …' : ''}`,
    );
  }
  const order = firstOrderDifference([...firstRow.keys()], infoIds, infoSet);
  if (order) {
    problems.push(`rows are not in info.csv order: row ${firstRow.get(order.found)} holds ${order.found} where info.csv order puts ${order.expected}`);
  }
  return { ok: problems.length === 0, problems };
}

/** Compares the order of the ids both lists share, so a missing row does not also count as disorder. */
function firstOrderDifference(submitted: string[], infoIds: string[], infoSet: ReadonlySet<string>): { found: string; expected: string } | null {
  const submittedSet = new Set(submitted);
  const a = submitted.filter((id) => infoSet.has(id));
  const b = infoIds.filter((id) => submittedSet.has(id));
  const i = a.findIndex((id, k) => id !== b[k]);
  return i < 0 ? null : { found: a[i]!, expected: b[i]! };
}
