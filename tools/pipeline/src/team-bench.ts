#!/usr/bin/env node
/**
 * `pnpm bench:team`: what a team gains, measured on loopback. One copy of the workspace trains
 * four folds one after the other; then two copies train two folds each, side by side, through one
 * `pnpm cache:serve` (each computes its own preprocess, as a second machine would). Prints both
 * wall times; README "Team" quotes them. Runs on wasm (one core per process in Node).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScript, startCacheServer } from './testing/run-script.ts';
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
const run = (cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) => runScript(cwd, 'tools/pipeline/src/cli.ts', args, env);
const soloRun = await run(solo, ['--config', file, '--folds', '0,1,2,3']);
console.log('one clone, folds 0-3 one after the other (preprocess included):', soloRun.seconds.toFixed(1), 's, exit', soloRun.code);
const server = await startCacheServer(WORKSPACE_ROOT, join(dir, 'server'), TOKEN);
const remote = { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: TOKEN };
const t0 = Date.now();
const [ra, rb] = await Promise.all([run(a, ['--config', file, '--folds', '0,1'], remote), run(b, ['--config', file, '--folds', '2,3'], remote)]);
const pair = (Date.now() - t0) / 1000;
await server.stop();
console.log('two clones side by side through one server (folds 0,1 | 2,3, each with its own preprocess):', pair.toFixed(1), 's', ra.code, rb.code, ra.seconds.toFixed(1), rb.seconds.toFixed(1));
console.log(`ratio ${(pair / soloRun.seconds).toFixed(2)} (exit codes ${ra.code}, ${rb.code})`);
await Promise.all([solo, a, b].map(removeWorkspace));
await rm(dir, { recursive: true, force: true });
