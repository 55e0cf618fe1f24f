import { configPathNote, CsvError, readCsv } from '@facemask/contracts';
import { fatal } from './issues.ts';

/** readCsv with errors that name the fix; BOM and CRLF are accepted by readCsv. */
export async function readInputCsv(path: string, columns: readonly string[], what: string): Promise<Record<string, string>[]> {
  try {
    return await readCsv(path, columns);
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const msg = err.message.startsWith(path) ? err.message.slice(path.length).replace(/^:\s*/, '') : err.message;
    if (msg === 'does not exist') fatal(path, `${what} not found`, `check the path the config gives for it${configPathNote()}`);
    fatal(path, msg, `${what} must be a CSV whose first line is the header ${columns.join(',')}`);
  }
}
