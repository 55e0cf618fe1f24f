import { loadStageInput, runIfEntryPoint, stageCommand, targets, workLayout, writeRunRecord, type StageCliOptions } from '@facemask/contracts';
import { runPreprocess } from './run.ts';

/**
 * The preprocess stage's Nx target (`nx run preprocess:run`):
 *   tsx --conditions=source packages/preprocess/src/main.ts [--config FILE] [--workspace DIR]
 * Prints the one-screen summary on stdout; warnings, logs and progress go to stderr.
 */
export async function main(argv: readonly string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<void> {
  const program = stageCommand('preprocess').option('--concurrency <n>', 'photos decoded at once', (v) => Number.parseInt(v, 10), 3);
  program.parse([...argv], { from: 'user' });
  const o = program.opts<StageCliOptions & { concurrency: number }>();
  const started = Date.now();
  const { params, work, paramsHash } = await loadStageInput('preprocess', o);
  const result = await runPreprocess(params, { work, quiet: o.quiet, concurrency: o.concurrency });
  await writeRunRecord(workLayout.preprocess(work).run, { target: targets.preprocess, started, backend: null, paramsHash });
  out(result.report + '\n');
}

runIfEntryPoint(import.meta.url, main);
