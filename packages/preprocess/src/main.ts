import { Command } from 'commander';
import { loadStageConfig, runIfEntryPoint } from '@facemask/core';
import { runPreprocess } from './run.ts';

/**
 * CLI: tsx --conditions=source packages/preprocess/src/main.ts --config FILE [--work DIR]
 * Prints the one-screen summary on stdout; warnings, logs and progress go to stderr.
 */
export async function main(argv: readonly string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<void> {
  const program = new Command()
    .name('preprocess')
    .description('Label, fold and cache a competition-layout data set into <data.work>/preprocess/')
    .option('--config <file>', 'pipeline config JSON (default: $FACEMASK_CONFIG, else the demo config)')
    .option('--work <dir>', 'artifact folder (overrides data.work)')
    .option('--quiet', 'no progress bars or warnings on stderr')
    .option('--concurrency <n>', 'photos decoded at once', (v) => Number.parseInt(v, 10), 3)
    .exitOverride();
  program.parse([...argv], { from: 'user' });
  const o = program.opts<{ config?: string; work?: string; quiet?: boolean; concurrency: number }>();
  const config = await loadStageConfig(o.config);
  const result = await runPreprocess(config, { workDir: o.work, quiet: o.quiet, concurrency: o.concurrency });
  out(result.report + '\n');
}

runIfEntryPoint(import.meta.url, main);
