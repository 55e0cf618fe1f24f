#!/usr/bin/env node
/**
 * `pnpm bench [--full] [--backends wasm,cpu] [--archs resnet18] [--sizes 112] [--batch 8]`:
 * training-step and inference images/s per backend, architecture and input size. Each backend
 * runs in a process of its own. A benchmark, not a test: numbers depend on the machine and load.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runIfEntryPoint } from '@facemask/contracts';
import { Command } from 'commander';
import type { Measurement } from './measure.ts';

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

export async function main(argv: string[]): Promise<number> {
  const program = new Command('bench')
    .option('--full', 'resnet18 and resnet34 at 112 and 224 px on every backend that loads')
    .option('--backends <list>', 'backends to measure', 'wasm,cpu')
    .option('--archs <list>', 'architectures', 'resnet18')
    .option('--sizes <list>', 'input sizes (square)', '112')
    .option('--batch <n>', 'batch size (the cpu backend needs minutes per step: try 2)', '8')
    .option('--steps <n>', 'timed steps after one warm-up step (cpu uses 1)', '3')
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  const o = program.opts<{ full?: boolean; backends: string; archs: string; sizes: string; batch: string; steps: string }>();
  const backends = o.full ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] : list(o.backends);
  const archs = o.full ? ['resnet18', 'resnet34'] : list(o.archs);
  const sizes = o.full ? [112, 224] : list(o.sizes).map(Number);
  const worker = fileURLToPath(new URL('./worker.ts', import.meta.url));
  console.log(`node ${process.version}, ${availableParallelism()} cores, batch ${o.batch}`);
  console.log('backend          arch      size   train img/s   infer img/s');
  for (const backend of backends) {
    for (const arch of archs) {
      for (const size of sizes) {
        const steps = backend === 'cpu' ? '1' : o.steps;
        try {
          const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=source', worker, backend, arch, String(size), o.batch, steps], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          const m = JSON.parse(out.trim().split('\n').pop() as string) as Measurement;
          console.log(`${backend.padEnd(16)} ${arch.padEnd(9)} ${String(size).padStart(4)} ${m.trainImagesPerSecond.toFixed(2).padStart(13)} ${m.inferImagesPerSecond.toFixed(2).padStart(13)}`);
        } catch (err) {
          const msg = String((err as { stderr?: string }).stderr ?? err).trim().split('\n').filter(Boolean).pop() ?? '';
          console.log(`${backend.padEnd(16)} ${arch.padEnd(9)} ${String(size).padStart(4)}   not available: ${msg.slice(0, 100)}`);
          break;
        }
      }
    }
  }
  return 0;
}

runIfEntryPoint(import.meta.url, main);
