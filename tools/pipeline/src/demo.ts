#!/usr/bin/env node
/**
 * `pnpm demo`: generates the synthetic sample set (data/sample) if it is missing, runs the
 * pipeline on the demo config, and prints the eval macro-F1 against the generator's hidden labels
 * and, last, the submission's path.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEMO_CONFIG, loadConfig, runIfEntryPoint } from '@facemask/core';
import { DEFAULT_SYNTH_OPTIONS, generateDataset, validateLayout } from '@facemask/synth';
import { runPipeline } from './run.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

/** The sample set the demo config points at. */
export const DEMO_PEOPLE = 300;
export const DEMO_SEED = 42;

async function ensureSampleSet(root: string): Promise<void> {
  if (existsSync(resolve(root, 'train/train.csv'))) {
    try {
      await validateLayout(root);
      return;
    } catch (err) {
      console.error(`${root} is not a complete sample set (${(err as Error).message}); generating it again`);
    }
  }
  console.error(`generating the sample set: ${DEMO_PEOPLE} people into ${root}`);
  await generateDataset({ ...DEFAULT_SYNTH_OPTIONS, out: root, people: DEMO_PEOPLE, seed: DEMO_SEED, overwrite: true });
}

export async function main(): Promise<number> {
  try {
    const cfg = await loadConfig(DEMO_CONFIG, WORKSPACE_ROOT);
    await ensureSampleSet(cfg.data.root);
    // Two folds at a time: the wasm backend uses one core per process.
    const r = await runPipeline(DEMO_CONFIG, { nxArgs: ['--parallel=2'] });
    console.log(`out-of-fold macro-F1: ${r.oofMacroF1.toFixed(4)}`);
    console.log(`eval macro-F1: ${r.evalMacroF1 === null ? 'n/a (no eval labels)' : r.evalMacroF1.toFixed(4)}`);
    console.log(`submission: ${r.submission}`);
    return 0;
  } catch (err) {
    console.error(`demo: ${(err as Error).message}`);
    return 1;
  }
}

runIfEntryPoint(import.meta.url, main);
