import { Command, InvalidArgumentError } from 'commander';
import { loadStageConfig, runIfEntryPoint } from '@facemask/core';
import { parseRound } from './artifacts.ts';
import { runEnsemble } from './run.ts';

export function buildCli(): Command {
  return new Command('ensemble')
    .description('Combine the fold predictions of a training round and score the out-of-fold set.')
    .exitOverride()
    .option('--config <file>', 'pipeline config JSON (default: $FACEMASK_CONFIG, else the demo config)')
    .requiredOption('--round <n>', 'training round to combine: 1 or 2', (v) => {
      try {
        return parseRound(v);
      } catch (err) {
        throw new InvalidArgumentError((err as Error).message);
      }
    })
    .option('--workspace <dir>', 'folder that relative data.work paths start from', process.cwd())
    .action(async (opts: { config?: string; round: 1 | 2; workspace: string }) => {
      const config = await loadStageConfig(opts.config, opts.workspace);
      const result = await runEnsemble(config, opts.round);
      console.log(result.summary);
      console.log(`ensemble: ${result.paths.dir}`);
    });
}

export async function main(argv: readonly string[]): Promise<void> {
  await buildCli().parseAsync([...argv], { from: 'user' });
}

runIfEntryPoint(import.meta.url, main);
