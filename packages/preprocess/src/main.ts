import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { loadStageConfig } from '@facemask/core';
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

function invokedDirectly(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    const e = err as Error & { code?: string };
    // commander has already printed its help or usage error.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return;
    if (!e.code?.startsWith('commander.')) console.error(`preprocess failed: ${e.message}`);
    process.exitCode = 1;
  });
}
