#!/usr/bin/env node
/**
 * The train stage's Nx target: `nx run train:fold --fold=2 [--round=1]`, or
 * `train:round1-fold-<k>` from the pipeline graph. Reads the preprocess (and, for round 2, the
 * pseudo-label) artifacts, trains the fold and writes `<work>/train/round<r>/fold-<k>/`.
 */
import { backendOptionArgs, loadStageInput, roundOption, runIfEntryPoint, stageCommand, targets, wholeNumber, workLayout, writeRunRecord, type Round, type StageCliOptions } from '@facemask/contracts';
import { backendLine, selectBackend } from '@facemask/engine';
import { runFold } from './fold.ts';

export async function main(argv: string[]): Promise<number> {
  const program = stageCommand('train')
    .requiredOption('--fold <k>', 'the fold to validate on (the others train)', wholeNumber('--fold'))
    .option('--round <r>', '1, or 2 (with pseudo-labels)', roundOption, 1 as Round)
    .option(...backendOptionArgs('beats TFJS_BACKEND, which beats the config'));
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  const o = program.opts<StageCliOptions & { fold: number; round: Round; backend?: string }>();
  try {
    const started = Date.now();
    const { params, work, paramsHash } = await loadStageInput('train', o);
    const engine = await selectBackend({ prefer: o.backend, configured: params.backend });
    const r = await runFold(params, { work, round: o.round, fold: o.fold, quiet: o.quiet ?? false });
    if (!r.summary.complete) {
      console.error(`fold ${o.fold} stopped after epoch ${r.summary.epochsDone}; run again to continue`);
      return 1;
    }
    await writeRunRecord(workLayout.fold(work, o.round, o.fold).run, { target: targets.trainFold(o.round, o.fold), started, backend: backendLine(engine), paramsHash });
    // The fold's one-screen summary, as every stage prints its own: --quiet drops progress and log lines only.
    if (r.text) console.log(r.text);
    return 0;
  } catch (err) {
    console.error(`train: ${(err as Error).message}`);
    return 1;
  }
}

runIfEntryPoint(import.meta.url, main);
