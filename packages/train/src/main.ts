#!/usr/bin/env node
/**
 * The train stage's Nx target: `nx run train:fold --fold=2 [--round=1] [--config=FILE]`, or
 * `train:round1-fold-<k>` from the pipeline graph. Reads the preprocess (and, for round 2, the
 * pseudo-label) artifacts, trains the fold and writes `<work>/train/round<r>/fold-<k>/`.
 */
import { Command, InvalidArgumentError } from 'commander';
import { loadStageConfig, selectBackend, type BackendName, runIfEntryPoint } from '@facemask/core';
import { runFold } from './fold.ts';

function int(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number >= 0, got "${v}"`);
    return n;
  };
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('train')
    .description('Train one fold of one round')
    .requiredOption('--fold <k>', 'the fold to validate on (the others train)', int('--fold'))
    .option('--round <r>', '1, or 2 (with pseudo-labels)', int('--round'), 1)
    .option('--config <file>', 'pipeline config (default: $FACEMASK_CONFIG, else the demo config)')
    .option('--backend <name>', 'tfjs backend: tensorflow-gpu, tensorflow, wasm or cpu (default: fastest that loads)')
    .option('--workspace <dir>', 'folder a relative data.work is resolved from', process.cwd())
    .option('--quiet', 'no progress bar or per-epoch lines')
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  const o = program.opts<{ fold: number; round: number; config?: string; backend?: string; workspace: string; quiet?: boolean }>();
  if (o.round !== 1 && o.round !== 2) {
    console.error(`--round must be 1 or 2, got ${o.round}`);
    return 2;
  }
  try {
    const cfg = await loadStageConfig(o.config, o.workspace);
    await selectBackend({ prefer: (o.backend ?? cfg.backend) as BackendName });
    const summary = await runFold(cfg, { round: o.round as 1 | 2, fold: o.fold, quiet: o.quiet ?? false });
    if (!summary.complete) {
      console.error(`fold ${o.fold} stopped after epoch ${summary.epochsDone}; run again to continue`);
      return 1;
    }
    return 0;
  } catch (err) {
    console.error(`train: ${(err as Error).message}`);
    return 1;
  }
}

runIfEntryPoint(import.meta.url, main);
