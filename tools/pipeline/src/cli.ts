#!/usr/bin/env node
/**
 * `pnpm pipeline --config FILE`: the whole pipeline through Nx for a config whose data.root names
 * the data folder (FILE may live outside the repository). Prints `report: <path>` to the run's
 * page, the scores and `submission: <path>` last.
 */
import { runIfEntryPoint } from '@facemask/contracts';
import { Command } from 'commander';
import { resultLines, runPipeline } from './run.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('pipeline')
    .description('Run preprocess -> train -> ensemble [-> pseudo-label -> train -> ensemble] -> submit -> report through Nx')
    .requiredOption('--config <file>', 'pipeline config JSON (data.root is required; every other key has a default)')
    .option('--backend <name>', 'tfjs backend: tensorflow-gpu, tensorflow, wasm or cpu (default: fastest that loads)')
    .option('--skip-nx-cache', 'rerun every stage even when Nx has its outputs cached')
    .option('--parallel <n>', 'Nx tasks at once (e.g. folds)', '1')
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  const o = program.opts<{ config: string; backend?: string; skipNxCache?: boolean; parallel: string }>();
  try {
    const r = await runPipeline(o.config, {
      ...(o.backend ? { backend: o.backend } : {}),
      skipNxCache: o.skipNxCache ?? false,
      nxArgs: [`--parallel=${o.parallel}`],
    });
    for (const line of resultLines(r)) console.log(line);
    return 0;
  } catch (err) {
    console.error(`pipeline: ${(err as Error).message}`);
    return 1;
  }
}

runIfEntryPoint(import.meta.url, main);
