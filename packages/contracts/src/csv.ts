import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic } from './atomic.ts';

export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

/**
 * Reads a CSV with a header row into records. Accepts a UTF-8 BOM and CRLF line ends (the real
 * competition files have both); a header that lacks an expected column is an error naming the file.
 */
export async function readCsv(path: string, expectedColumns: readonly string[]): Promise<Record<string, string>[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new CsvError(`${path} does not exist`);
    throw err;
  }
  return parseCsv(text, path, expectedColumns);
}

export function parseCsv(text: string, path: string, expectedColumns: readonly string[]): Record<string, string>[] {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: false }) as string[][];
  } catch (err) {
    throw new CsvError(`${path}: not a valid CSV (${(err as Error).message})`);
  }
  const header = (rows[0] ?? []).map((h) => h.trim());
  const missing = expectedColumns.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new CsvError(
      `${path}: wrong header "${header.join(',')}": expected the columns ${expectedColumns.join(',')} (missing ${missing.join(', ')})`,
    );
  }
  return rows.slice(1).map((r) => {
    const rec: Record<string, string> = {};
    header.forEach((h, i) => (rec[h] = (r[i] ?? '').trim()));
    return rec;
  });
}

export async function writeCsv(path: string, columns: readonly string[], rows: readonly (readonly (string | number)[])[]): Promise<void> {
  const text = stringify([columns as string[], ...rows.map((r) => r.map(String))]);
  await writeFileAtomic(path, text);
}
