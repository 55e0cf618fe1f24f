import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { defineArtifact, readArtifact, writeArtifact } from '@facemask/core';

/**
 * What one run of a pipeline target records about itself, so the report can say which engine ran
 * and how long each stage took. Nothing writes it yet: every stage is to write one when it ends
 * (then the schema moves to the shared contracts package); until then the report says "not recorded".
 */
export const stageRunRecordSchema = z.object({
  /** The stage package, e.g. "train". */
  stage: z.string().min(1),
  /** The Nx target that ran, e.g. "train:round1-fold-2". */
  target: z.string().min(1),
  /** Wall-clock seconds of the whole target. */
  seconds: z.number().min(0),
  /** The backend line the stage printed (e.g. "backend: WebAssembly (…)"), null for stages without tfjs. */
  backend: z.string().nullable(),
  /** ISO 8601 start time. */
  startedAt: z.iso.datetime({ offset: true }),
});
export type StageRunRecord = z.infer<typeof stageRunRecordSchema>;

export const stageRunArtifact = defineArtifact({ kind: 'pipeline/stage-run', version: 1, schema: stageRunRecordSchema, producedBy: 'the stage named in the file' });

export const STAGE_RUNS_DIR = 'stage-runs';

/** `<work>/stage-runs/<target>.json`, the target's ':' written as '_' so the name is portable. */
export function stageRunPath(work: string, target: string): string {
  return join(work, STAGE_RUNS_DIR, `${target.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

export async function writeStageRun(work: string, record: StageRunRecord): Promise<string> {
  const path = stageRunPath(work, record.target);
  await writeArtifact(stageRunArtifact, path, record);
  return path;
}

export interface StageRuns {
  /** In start order. */
  records: StageRunRecord[];
  /** One line per record that could not be read. */
  problems: string[];
}

/** Every record under `<work>/stage-runs/`; none at all (the folder absent) is not an error. */
export async function readStageRuns(work: string): Promise<StageRuns> {
  const dir = join(work, STAGE_RUNS_DIR);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], problems: [] };
    throw err;
  }
  const records: StageRunRecord[] = [];
  const problems: string[] = [];
  for (const name of names) {
    try {
      records.push(await readArtifact(stageRunArtifact, join(dir, name)));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  records.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.target.localeCompare(b.target));
  return { records, problems };
}
