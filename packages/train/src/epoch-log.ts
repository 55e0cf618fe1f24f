import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '@facemask/core';

/** One line of a fold's metrics.jsonl: what happened in one epoch. */
export const epochRecordSchema = z.object({
  epoch: z.number().int().min(0),
  lr: z.number(),
  trainLoss: z.number(),
  valLoss: z.number(),
  accuracy: z.number(),
  macroF1: z.number(),
  perClassF1: z.array(z.number()),
  imagesPerSecond: z.number(),
  seconds: z.number(),
});
export type EpochRecord = z.infer<typeof epochRecordSchema>;

export async function readEpochLog(path: string): Promise<EpochRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const r = epochRecordSchema.safeParse(JSON.parse(l));
      if (!r.success) throw new Error(`${path}:${i + 1}: not an epoch record (${z.prettifyError(r.error)})`);
      return r.data;
    });
}

/**
 * Rewrites the whole log atomically rather than appending, so a kill in the middle of a write
 * never leaves half a line, and a resumed run drops the epochs it will redo.
 */
export async function writeEpochLog(path: string, records: readonly EpochRecord[]): Promise<void> {
  await writeFileAtomic(path, records.map((r) => JSON.stringify(epochRecordSchema.parse(r))).join('\n') + (records.length ? '\n' : ''));
}
