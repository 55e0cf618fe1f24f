import { z } from 'zod';
import { defineArtifact } from '../artifact.ts';

/**
 * What every stage task writes beside its artifacts (`run.json`): which task, when, how long and
 * on which engine. Nx caches it with the outputs, so a cached task still shows the time it took.
 */
export const runRecordSchema = z.object({
  /** The Nx target, e.g. "train:round1-fold-2". */
  target: z.string().min(1),
  startedAt: z.iso.datetime(),
  seconds: z.number().min(0),
  /** The engine line the stage printed (e.g. "wasm (simd, 1 thread; ...)"), or null for stages without tfjs. */
  backend: z.string().nullable(),
  /** Hash of the config slice the stage read (see stages.ts). */
  paramsHash: z.string(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

export const runRecordArtifact = defineArtifact({ kind: 'stage/run', version: 1, schema: runRecordSchema, producedBy: 'the stage that wrote its folder' });
