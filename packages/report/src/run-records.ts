import { join } from 'node:path';
import { graphFor, readArtifact, RUN_RECORD_FILE, runRecordArtifact, STAGES, targets, tasksRunBy, type PipelineConfig, type RunRecord, type StageTable } from '@facemask/contracts';
import { exists, load, type Loaded } from './loaded.ts';
import type { ReportParams } from './params.ts';

/**
 * The run record (`run.json`) every pipeline task writes beside its artifacts: which engine ran
 * and how long each task took. A task run outside the stage CLIs (a test calling a run function)
 * writes none: that task is "not recorded", which is not a missing artifact.
 */
export interface TaskRun {
  /** The Nx target, e.g. "train:round1-fold-2". */
  target: string;
  path: string;
  /** null: no run.json there. */
  record: Loaded<RunRecord> | null;
}

/**
 * Every task the report follows in the run's graph (the graph the stage declarations lay out:
 * detection and features included where the config has them), in the order the pipeline runs
 * them, with the path of its run record.
 */
export function taskRunPaths(params: ReportParams, work: string, stages: StageTable = STAGES): { target: string; path: string }[] {
  const graph = graphFor(params as PipelineConfig, work, stages);
  return tasksRunBy(graph, targets.report)
    .filter((t) => t.id !== targets.report)
    .map((t) => ({ target: t.id, path: join(t.outputs[0]!, RUN_RECORD_FILE) }));
}

/** The run record of every task; an invalid one keeps its error (it goes to the missing list). */
export async function readTaskRuns(params: ReportParams, work: string): Promise<TaskRun[]> {
  const out: TaskRun[] = [];
  for (const t of taskRunPaths(params, work)) {
    const record = (await exists(t.path)) ? await load(() => readArtifact({ ...runRecordArtifact, producedBy: t.target }, t.path)) : null;
    out.push({ ...t, record });
  }
  return out;
}
