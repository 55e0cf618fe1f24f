import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { loadStageConfig } from '@facemask/core';
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

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    // commander has already printed its own usage errors
    if (err instanceof CommanderError) process.exitCode = err.exitCode;
    else {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    }
  });
}
