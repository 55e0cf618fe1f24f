#!/usr/bin/env node
/**
 * `pnpm bench:rerun [--runs 5]`: what an unchanged `pnpm demo` costs when every task comes from
 * Nx's cache. Runs the demo once to fill the cache, then times it --runs more times, as the user
 * types it (`pnpm demo`, through the pnpm running this) and without pnpm's own start (the demo
 * script's node command), and prints the median, the spread and the load average. A benchmark,
 * not a test: the figures depend on the machine and what else runs on it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { runIfEntryPoint } from '@facemask/contracts';
import { Command } from 'commander';
import { taskOutcomes } from './nx.ts';
import { spreadOf } from './spread.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

/** The demo without pnpm: node's arguments in package.json's `demo` script ("node ..."). */
function demoNodeArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const [cmd, ...args] = (pkg.scripts?.demo ?? '').split(/\s+/);
  if (cmd !== 'node') throw new Error(`package.json's demo script does not start with node: ${pkg.scripts?.demo}`);
  return args;
}

/** Runs the command once; fails unless it succeeded with every task from Nx's cache. */
function timedRun(cmd: string, args: readonly string[]): number {
  const start = performance.now();
  const r = spawnSync(cmd, args, { cwd: WORKSPACE_ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  const ran = [...taskOutcomes(r.stdout + r.stderr)].filter(([, o]) => o === 'ran').map(([t]) => t);
  if (ran.length > 0) throw new Error(`${ran.join(', ')} ran instead of coming from the cache: something changed between runs`);
  return seconds;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('bench:rerun').option('--runs <n>', 'timed runs of each command', '5').exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  const runs = Number(program.opts<{ runs: string }>().runs);
  if (!(Number.isInteger(runs) && runs >= 1)) {
    console.error(`bench:rerun: --runs must be a positive integer, got ${program.opts<{ runs: string }>().runs}`);
    return 2;
  }
  // pnpm sets npm_execpath to itself when it runs a script; run `pnpm demo` with the same pnpm.
  const pnpm = process.env.npm_execpath;
  const demoNode = demoNodeArgs();
  const commands: [string, string, string[]][] = [
    ...(pnpm ? [['pnpm demo', process.execPath, [pnpm, 'demo']] as [string, string, string[]]] : []),
    ['node demo.ts (no pnpm)', process.execPath, demoNode],
  ];
  console.error('filling the cache: the demo once (it trains the first time)');
  const warm = spawnSync(process.execPath, demoNode, { cwd: WORKSPACE_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (warm.status !== 0) {
    console.error(`bench:rerun: the demo failed (exit ${warm.status})`);
    return 1;
  }
  try {
    const lines: string[] = [];
    for (const [label, cmd, args] of commands) {
      const seconds = Array.from({ length: runs }, () => timedRun(cmd, args));
      const s = spreadOf(seconds);
      lines.push(`${label.padEnd(24)} median ${s.median.toFixed(2)} s (min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)}, ${runs} runs)`);
    }
    console.log(`unchanged demo rerun, every task from Nx's cache; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    for (const l of lines) console.log(l);
    return 0;
  } catch (err) {
    console.error(`bench:rerun: ${(err as Error).message}`);
    return 1;
  }
}

runIfEntryPoint(import.meta.url, main);
