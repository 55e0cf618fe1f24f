#!/usr/bin/env node
/**
 * The detect stage's Nx target (`nx run detect:run`, in the graph when preprocess.faceCrop is set):
 *   tsx --conditions=source packages/detect/src/main.ts [--config FILE] [--workspace DIR] [--backend NAME] [--workers N]
 * Prints the one-screen summary on stdout; warnings and progress go to stderr.
 */
import { backendOptionArgs, loadStageInput, runIfEntryPoint, stageCommand, targets, wholeNumber, workLayout, writeRunRecord, type StageCliOptions } from '@facemask/contracts';
import { runDetect } from './run.ts';

export async function main(argv: string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const program = stageCommand('detect')
    .option(...backendOptionArgs('beats TFJS_BACKEND, which beats the config'))
    .option('--workers <n>', 'worker processes, each with its own engine (default: one per core)', wholeNumber('--workers'));
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  const o = program.opts<StageCliOptions & { backend?: string; workers?: number }>();
  try {
    const started = Date.now();
    const { params, work, paramsHash, handoff } = await loadStageInput('detect', o);
    const r = await runDetect(params, { work, quiet: o.quiet, backend: o.backend, workers: o.workers, handoff });
    await writeRunRecord(workLayout.detect(work).run, { target: targets.detect, started, backend: r.detections.backend, paramsHash });
    out(r.report + '\n');
    return 0;
  } catch (err) {
    console.error(`detect: ${(err as Error).message}`);
    return 1;
  }
}

runIfEntryPoint(import.meta.url, main);
