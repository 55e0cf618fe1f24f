#!/usr/bin/env node
/**
 * `pnpm bench [--full] [--backends wasm,cpu] [--archs resnet18] [--sizes 112] [--batch 8]
 * [--threads n] [--torch | --no-torch] [--rounds 3]`: training-step and inference images/s per
 * backend, architecture and input size. Each measurement runs in a process of its own; the same
 * step runs in PyTorch beside them when its python has torch and torchvision. A benchmark, not a
 * test: numbers depend on the machine and its load.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BACKEND_NAMES, runIfEntryPoint } from '@facemask/contracts';
import { Command } from 'commander';
import type { Measurement } from './measure.ts';
import { bestOf, formatRow, summaryLines, threadEnv, type Row } from './rows.ts';

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

const TORCH_SCRIPT = fileURLToPath(new URL('../python/torch_bench.py', import.meta.url));

interface Options {
  full?: boolean;
  backends: string;
  archs: string;
  sizes: string;
  batch: string;
  steps: string;
  threads: string;
  torch?: boolean;
  python: string;
  rounds: string;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('bench')
    .option('--full', 'resnet18 and resnet34 at 112 and 224 px on every backend that loads')
    .option('--backends <list>', 'backends to measure', 'wasm,cpu')
    .option('--archs <list>', 'architectures', 'resnet18')
    .option('--sizes <list>', 'input sizes (square)', '112')
    .option('--batch <n>', 'batch size (the cpu backend needs minutes per step: try 2)', '8')
    .option('--steps <n>', 'timed steps after one warm-up step (cpu uses 1)', '3')
    .option('--threads <n>', 'threads for tensorflow (intra-op n, inter-op 1) and PyTorch', String(availableParallelism()))
    .option('--torch', 'run the same step in PyTorch (tools/bench/python/torch_bench.py); default: when --python has torch')
    .option('--no-torch', 'no PyTorch rows')
    .option('--python <path>', 'python with torch and torchvision for --torch', '/usr/bin/python3')
    .option('--rounds <n>', 'measure every row n times, engines interleaved, and print the best', '1')
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  const o = program.opts<Options>();
  const backends = o.full ? [...BACKEND_NAMES] : list(o.backends);
  const archs = o.full ? ['resnet18', 'resnet34'] : list(o.archs);
  const sizes = o.full ? [112, 224] : list(o.sizes).map(Number);
  const threads = Number(o.threads);
  const rounds = Number(o.rounds);
  for (const [what, v] of [['--batch', Number(o.batch)], ['--steps', Number(o.steps)], ['--rounds', rounds], ['--threads', threads]] as const) {
    if (!(Number.isInteger(v) && v >= 1)) {
      console.error(`bench: ${what} must be a positive integer, got ${String(v)}`);
      return 2;
    }
  }
  // PyTorch is a comparison, never a dependency: asked for, or found beside the system python.
  const torch = o.torch ?? spawnSync(o.python, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0;
  const engines = torch ? [...backends, 'pytorch'] : backends;
  const worker = fileURLToPath(new URL('./worker.ts', import.meta.url));
  const env = { ...process.env, ...threadEnv(threads) };
  const threadNote = `threads ${threads} (tensorflow intra-op ${threads} / inter-op 1, pytorch ${threads}, wasm 1)`;
  const loadBefore = loadavg()[0] as number;
  console.log(`node ${process.version}, ${availableParallelism()} cores, batch ${o.batch}, ${threadNote}${rounds > 1 ? `, best of ${rounds} rounds` : ''}`);
  console.log('backend          arch      size   train img/s   infer img/s');

  const unavailable = new Map<string, string>();
  const measureOne = (engine: string, arch: string, size: number): Measurement => {
    const steps = engine === 'cpu' ? '1' : o.steps;
    if (engine === 'pytorch') {
      const out = execFileSync(
        o.python,
        [TORCH_SCRIPT, '--json', '--archs', arch, '--sizes', String(size), '--batch', o.batch, '--steps', steps, '--threads', String(threads)],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env },
      );
      const r = JSON.parse(out.trim().split('\n').pop() as string) as Measurement & { torch: string };
      return { ...r, backend: 'pytorch' };
    }
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=source', worker, engine, arch, String(size), o.batch, steps, ...(o.full ? ['hardware'] : [])], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    return JSON.parse(out.trim().split('\n').pop() as string) as Measurement;
  };

  const rows: Row[] = [];
  for (const arch of archs) {
    for (const size of sizes) {
      const got = new Map<string, Measurement[]>();
      for (let r = 0; r < rounds; r++) {
        for (const engine of engines) {
          if (unavailable.has(engine)) continue;
          try {
            got.set(engine, [...(got.get(engine) ?? []), measureOne(engine, arch, size)]);
          } catch (err) {
            const msg = String((err as { stderr?: string }).stderr || (err as Error).message || err).trim().split('\n').filter(Boolean).pop() ?? '';
            unavailable.set(engine, msg.slice(0, 100));
          }
        }
      }
      for (const engine of engines) {
        const ms = got.get(engine);
        const row: Row = ms?.length ? { engine, arch, size, ...bestOf(ms) } : { engine, arch, size, error: unavailable.get(engine) ?? 'no measurement' };
        rows.push(row);
        console.log(formatRow(row));
      }
    }
  }
  for (const line of summaryLines(rows, { before: loadBefore, after: loadavg()[0] as number, cores: availableParallelism() })) console.log(line);
  return 0;
}

runIfEntryPoint(import.meta.url, main);
