import { Command, InvalidArgumentError } from 'commander';
import { loadStageConfig, runIfEntryPoint } from '@facemask/core';
import { DEFAULT_WORST, runReport } from './run.ts';

export function buildCli(): Command {
  return new Command('report')
    .description('Write the run report: <work>/report/index.html (learning curves, confusion matrices, worst photos, eval distribution).')
    .exitOverride()
    .option('--config <file>', 'pipeline config JSON (default: $FACEMASK_CONFIG, else the demo config)')
    .option('--workspace <dir>', 'folder that relative data.work paths start from', process.cwd())
    .option(
      '--worst <n>',
      `most confidently wrong out-of-fold photos to show (default ${DEFAULT_WORST})`,
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`--worst must be a whole number >= 0, got "${v}"`);
        return n;
      },
      DEFAULT_WORST,
    )
    .action(async (opts: { config?: string; workspace: string; worst: number }) => {
      const config = await loadStageConfig(opts.config, opts.workspace);
      const result = await runReport(config, { worst: opts.worst });
      console.log(result.summary);
      console.log(`report: ${result.paths.index}`);
    });
}

export async function main(argv: readonly string[]): Promise<void> {
  await buildCli().parseAsync([...argv], { from: 'user' });
}

runIfEntryPoint(import.meta.url, main);
