import { Command } from 'commander';
import { loadStageConfig, runIfEntryPoint } from '@facemask/core';
import { runPseudoLabel } from './run.ts';

export function buildCli(): Command {
  return new Command('pseudo-label')
    .description('Keep the confident round-1 ensemble eval predictions as extra training samples for round 2.')
    .exitOverride()
    .option('--config <file>', 'pipeline config JSON (default: $FACEMASK_CONFIG, else the demo config)')
    .option('--workspace <dir>', 'folder that relative data.work paths start from', process.cwd())
    .action(async (opts: { config?: string; workspace: string }) => {
      const config = await loadStageConfig(opts.config, opts.workspace);
      const result = await runPseudoLabel(config);
      console.log(result.summary);
      console.log(`pseudo-labels: ${result.path}`);
    });
}

export async function main(argv: readonly string[]): Promise<void> {
  await buildCli().parseAsync([...argv], { from: 'user' });
}

runIfEntryPoint(import.meta.url, main);
