import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { loadStageConfig } from '@facemask/core';
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
