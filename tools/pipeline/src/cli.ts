#!/usr/bin/env node
/**
 * `pnpm pipeline --config FILE`: the whole pipeline through Nx for a config whose data.root names
 * the data folder (FILE may live outside the repository). Prints `report: <path>` to the run's
 * page, the scores and `submission: <path>` last. `--folds 2,3` trains just those folds (and
 * their inputs) for a machine given a share of the work, through the remote cache when
 * NX_SELF_HOSTED_REMOTE_CACHE_SERVER names one.
 */
import { backendOptionArgs, runIfEntryPoint } from '@facemask/contracts';
import { Command } from 'commander';
import { parseFoldList, remoteCacheEnv, trainFolds } from './team.ts';
import { resultLines, runPipeline } from './run.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('pipeline')
    .description('Run preprocess -> train -> ensemble [-> pseudo-label -> train -> ensemble] -> submit -> report through Nx')
    .requiredOption('--config <file>', 'pipeline config JSON (data.root is required; every other key has a default)')
    .option(...backendOptionArgs('sets TFJS_BACKEND for every stage, which beats the config; default: the fastest that loads'))
    .option('--skip-nx-cache', 'rerun every stage even when Nx has its outputs cached')
    .option('--parallel <n>', 'Nx tasks at once (e.g. folds)', '1')
    .option('--folds <list>', 'train only these folds of round 1 and their inputs (e.g. 2,3), for a machine given a share of the work')
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  const o = program.opts<{ config: string; backend?: string; skipNxCache?: boolean; parallel: string; folds?: string }>();
  let folds: number[] | undefined;
  try {
    folds = o.folds === undefined ? undefined : parseFoldList(o.folds);
  } catch (err) {
    console.error(`pipeline: ${(err as Error).message}`);
    return 2;
  }
  try {
    const nxArgs = [`--parallel=${o.parallel}`, ...(o.skipNxCache ? ['--skip-nx-cache'] : [])];
    const remote = await remoteCacheEnv(process.env);
    if (remote.warning) console.error(remote.warning);
    const env = { ...remote.env, ...(o.backend ? { TFJS_BACKEND: o.backend } : {}) };
    if (folds) {
      const r = await trainFolds(o.config, folds, { env, nxArgs });
      for (const [fold, outcome] of r.folds) console.log(`fold ${fold}: ${outcome === 'ran' ? 'trained' : 'from the cache'}`);
      return 0;
    }
    // One Nx run, through the remote cache when one answers: what other machines trained comes
    // back from it, and what this one trains goes up to it.
    const r = await runPipeline(o.config, {
      ...(o.backend ? { backend: o.backend } : {}),
      skipNxCache: o.skipNxCache ?? false,
      nxArgs: [`--parallel=${o.parallel}`],
      env: remote.env,
    });
    for (const line of resultLines(r)) console.log(line);
    return 0;
  } catch (err) {
    console.error(`pipeline: ${(err as Error).message}`);
    return 1;
  }
}

runIfEntryPoint(import.meta.url, main);
