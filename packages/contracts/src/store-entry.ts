import { stat } from 'node:fs/promises';
import type { z } from 'zod';
import { readArtifact, type ArtifactSpec } from './artifact.ts';
import { sha256OfFile } from './hash.ts';

/**
 * A shared store entry (the detection and feature stores: a folder named by its key, a record and
 * one data file hard-linked into every run that used it) as found on disk: whole, or why not.
 */
export type StoreEntryCheck<E> = { entry: E } | { missing: true } | { damaged: string };

/**
 * Whole when the folder exists, its record reads and names this key, and the data file still has
 * the sha256 the record kept (a write through any run's link shows here).
 */
export async function checkStoreEntry<S extends z.ZodType<{ key: string }>>(
  store: { dir: string; entry: string },
  key: string,
  spec: ArtifactSpec<S>,
  file: string,
  recordedSha256: (entry: z.output<S>) => string,
): Promise<StoreEntryCheck<z.output<S>>> {
  if (!(await stat(store.dir).then(() => true, () => false))) return { missing: true };
  let entry: z.output<S>;
  try {
    entry = await readArtifact(spec, store.entry);
  } catch (err) {
    return { damaged: (err as Error).message };
  }
  if (entry.key !== key) return { damaged: `${store.entry} is for key ${entry.key}, not the folder's ${key}` };
  const recorded = recordedSha256(entry);
  const sha = await sha256OfFile(file).catch((err: NodeJS.ErrnoException) => `unreadable (${err.code ?? err.message})`);
  if (sha !== recorded) return { damaged: `${file} has sha256 ${sha.slice(0, 12)}, not the ${recorded.slice(0, 12)} recorded when it was stored` };
  return { entry };
}
