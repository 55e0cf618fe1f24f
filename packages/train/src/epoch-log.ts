import { epochRecordSchema, writeFileAtomic, type EpochRecord } from '@facemask/contracts';

/**
 * Rewrites a fold's whole metrics.jsonl atomically rather than appending, so a kill in the middle
 * of a write never leaves half a line, and a resumed run drops the epochs it will redo. The
 * record's schema and reader live in @facemask/contracts (the report reads the log too).
 */
export async function writeEpochLog(path: string, records: readonly EpochRecord[]): Promise<void> {
  await writeFileAtomic(path, records.map((r) => JSON.stringify(epochRecordSchema.parse(r))).join('\n') + (records.length ? '\n' : ''));
}
