#!/usr/bin/env node
/**
 * `pnpm bench:team`: what a team gains, measured on loopback. One copy of the workspace trains
 * four folds one after the other; then two copies train two folds each, side by side, through one
 * `pnpm cache:serve` (each computes its own preprocess, as a second machine would). Prints both
 * wall times; README "Team" quotes them. Runs on wasm (one core per process in Node).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyWorkspace, removeWorkspace } from './testing/workspace-copy.ts';
import { WORKSPACE_ROOT } from './workspace.ts';
import { DEFAULT_SYNTH_OPTIONS, generateDataset } from '@facemask/synth';

const TOKEN = 'team-bench-token';
const dir = await mkdtemp(join(tmpdir(), 'team-measure-'));
await generateDataset({ ...DEFAULT_SYNTH_OPTIONS, out: join(dir, 'data'), people: 100, seed: 42, width: 192, height: 256, cues: 'clear', quiet: true });
const cfg = {
  name: 'team-bench',
  seed: 42,
  data: { root: join(dir, 'data'), work: 'data/work-team', evalLabels: join(dir, 'data', 'eval_labels.csv') },
  preprocess: { folds: 4, centerCrop: 192, height: 64, width: 64 },
  model: { arch: 'resnet18', widthMultiplier: 0.25, head: 'multi' },
  optim: { name: 'adamw', lr: 0.003 },
  scheduler: { name: 'cosine' },
  train: { epochs: 12, batchSize: 32 },
  backend: 'wasm',
};
const file = join(dir, 'team.json');
await writeFile(file, JSON.stringify(cfg));
const [solo, a, b] = await Promise.all([copyWorkspace('tm-solo-'), copyWorkspace('tm-a-'), copyWorkspace('tm-b-')]);
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NX_')));
function run(cwd: string, script: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; seconds: number }> {
  const t0 = Date.now();
  return new Promise((ok) => {
    const c = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', script, ...args], {
      cwd,
      env: { ...baseEnv, ...env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d));
    c.stderr.on('data', (d: Buffer) => (out += d));
    c.on('close', (code) => ok({ code: code ?? 1, out, seconds: (Date.now() - t0) / 1000 }));
  });
}
const soloRun = await run(solo, 'tools/pipeline/src/cli.ts', ['--config', file, '--folds', '0,1,2,3']);
console.log('one clone, folds 0-3 one after the other (preprocess included):', soloRun.seconds.toFixed(1), 's, exit', soloRun.code);
const server = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'tools/cache-server/src/cli.ts', '--dir', join(dir, 'server'), '--port', '0', '--host', '127.0.0.1'], {
  cwd: WORKSPACE_ROOT,
  env: { ...baseEnv, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: TOKEN },
  stdio: ['ignore', 'pipe', 'pipe'],
});
const url = await new Promise<string>((ok) =>
  server.stdout.on('data', (d: Buffer) => {
    const m = /cache:serve: (http:\/\/127\.0\.0\.1:\d+)/.exec(d.toString());
    if (m) ok(m[1]!);
  }),
);
const remote = { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: TOKEN };
const t0 = Date.now();
const [ra, rb] = await Promise.all([run(a, 'tools/pipeline/src/cli.ts', ['--config', file, '--folds', '0,1'], remote), run(b, 'tools/pipeline/src/cli.ts', ['--config', file, '--folds', '2,3'], remote)]);
console.log('two clones side by side through one server (folds 0,1 | 2,3, each with its own preprocess):', ((Date.now() - t0) / 1000).toFixed(1), 's', ra.code, rb.code, ra.seconds.toFixed(1), rb.seconds.toFixed(1));
server.kill('SIGTERM');
console.log(`ratio ${((Date.now() - t0) / 1000 / soloRun.seconds).toFixed(2)} (exit codes ${ra.code}, ${rb.code})`);
await Promise.all([solo, a, b].map(removeWorkspace));
await rm(dir, { recursive: true, force: true });
