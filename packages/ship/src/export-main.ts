#!/usr/bin/env node
/**
 * `pnpm export --config FILE --out DIR [--folds 0,2]`: packs the fold models of a run's last round
 * into one model folder with its manifest (voting, input, crop, normalisation, TTA, classes,
 * provenance, out-of-fold scores), for `pnpm predict` and the kiosk page.
 */
import { Command, InvalidArgumentError } from 'commander';
import { loadStageConfig, runIfEntryPoint, WORKSPACE_ROOT } from '@facemask/contracts';
import { runExport } from './export.ts';
import { describeManifest } from './manifest.ts';

function foldList(v: string): number[] {
  const folds = v.split(',').map((s) => s.trim());
  if (folds.some((f) => !/^\d+$/.test(f))) throw new InvalidArgumentError(`--folds takes fold numbers separated by commas, e.g. 0,2; got "${v}"`);
  return folds.map(Number);
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('export')
    .description("pack a run's fold models into one self-describing model folder")
    .option('--config <file>', 'the pipeline config the run used (default: $FACEMASK_CONFIG, else the demo config)')
    .requiredOption('--out <dir>', 'the model folder to write (replaced if it is an earlier export)')
    .option('--folds <list>', 'export only these folds of the last round, e.g. 0,2', foldList)
    .option('--workspace <dir>', 'the folder a relative data.work is resolved from', WORKSPACE_ROOT)
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  const o = program.opts<{ config?: string; out: string; folds?: number[]; workspace: string }>();
  try {
    const cfg = await loadStageConfig(o.config, o.workspace);
    const { dir, manifest } = await runExport(cfg, { out: o.out, folds: o.folds });
    console.log(describeManifest(manifest, dir));
    return 0;
  } catch (err) {
    console.error(`export: ${(err as Error).message}`);
    return 1;
  }
}

runIfEntryPoint(import.meta.url, main);
