import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensembleArtifacts, lastRound, loadConfig, pipelineGraph, readArtifact, scoreSubmission, targets, workLayout, type PipelineConfig } from '@facemask/contracts';
import { checkWorkFolder } from '@facemask/contracts/work-folder';
import type { NxRun } from './nx.ts';
import { preflight } from './preflight.ts';
import { runNxWithRemote } from './team.ts';
import { writeRunConfig } from './runs.ts';
import { lockWorkFolder } from './work-lock.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

export interface PipelineResult {
  config: PipelineConfig;
  submission: string;
  /** The run report's page (index.html). */
  report: string;
  oofMacroF1: number;
  evalMacroF1: number | null;
  nx: NxRun;
}

export interface PipelineOptions {
  backend?: string;
  skipNxCache?: boolean;
  quiet?: boolean;
  /** Extra Nx flags (e.g. --parallel=2). */
  nxArgs?: string[];
  /**
   * Variables for the pipeline's Nx beyond its own (runNx passes no NX_* variable down): the
   * remote cache's (team.ts's remoteCacheEnv), so one run reads and writes it.
   */
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs the whole pipeline for a config through Nx (`report:run`, downstream of every other task),
 * then reads the out-of-fold score and, when the config names the eval labels, scores the submission.
 */
export async function runPipeline(configFile: string, opts: PipelineOptions = {}): Promise<PipelineResult> {
  const abs = resolve(configFile);
  if (!existsSync(abs)) throw new Error(`config ${abs} does not exist`);
  const config = await loadConfig(abs, WORKSPACE_ROOT);
  // Fails early, before Nx starts, on a work folder outside the workspace or a fold that does not exist.
  pipelineGraph(config, WORKSPACE_ROOT);
  await preflight(config);
  // Before any write (the lock is the first; the first stage marks the folder): a folder that is
  // not the pipeline's is refused, a second run stops at once.
  await checkWorkFolder(config.data.work);
  const lock = await lockWorkFolder(config.data.work);
  // What `pnpm runs` compares runs by; under the lock, so two runs of one folder never both write it.
  const started = await writeRunConfig(config, abs).catch(async (err: unknown) => {
    await lock.release();
    throw err;
  });
  const env: NodeJS.ProcessEnv = { ...opts.env };
  // --backend reaches every stage as TFJS_BACKEND, which beats the config's backend.
  if (opts.backend) env.TFJS_BACKEND = opts.backend;
  const args = ['run', targets.report, '--outputStyle=stream', ...(opts.skipNxCache ? ['--skip-nx-cache'] : []), ...(opts.nxArgs ?? [])];
  const nx = await runNxWithRemote(args, { config: abs, env, quiet: opts.quiet ?? false })
    .then(async (r) => {
      // Before the lock goes, so the record marked is this run's and not the next one's.
      if (r.code === 0) await started.finished();
      return r;
    })
    .finally(() => lock.release());
  if (nx.code !== 0) throw new Error(`the pipeline failed (nx exited with ${nx.code}); the failing stage's output is above`);
  const round = lastRound(config);
  const report = await readArtifact(ensembleArtifacts(round).report, workLayout.ensemble(config.data.work, round).report);
  const submission = workLayout.submission(config.data.work).csv;
  const evalMacroF1 = config.data.evalLabels && existsSync(config.data.evalLabels) ? (await scoreSubmission(submission, config.data.evalLabels)).macroF1 : null;
  return { config, submission, report: workLayout.report(config.data.work).index, oofMacroF1: report.oof.macroF1, evalMacroF1, nx };
}

/**
 * The lines scripts rely on: `report: <path>` to the run's page, then the closing lines: the
 * out-of-fold macro-F1, the eval macro-F1 (when scored, or always with `evalLine: 'always'`, as
 * `pnpm demo` promises) and, last, `submission: <path>`.
 */
export function resultLines(r: Pick<PipelineResult, 'oofMacroF1' | 'evalMacroF1' | 'submission' | 'report'>, evalLine: 'when-scored' | 'always' = 'when-scored'): string[] {
  const lines = [`report: ${r.report}`, `out-of-fold macro-F1: ${r.oofMacroF1.toFixed(4)}`];
  if (r.evalMacroF1 !== null) lines.push(`eval macro-F1: ${r.evalMacroF1.toFixed(4)}`);
  else if (evalLine === 'always') lines.push('eval macro-F1: n/a (no eval labels)');
  lines.push(`submission: ${r.submission}`);
  return lines;
}
