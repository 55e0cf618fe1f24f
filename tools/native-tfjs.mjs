#!/usr/bin/env node
// Runs the install step of @tensorflow/tfjs-node-gpu (or tfjs-node with `cpu`) that `pnpm install`
// skips on purpose: it downloads libtensorflow, which needs internet access (and, for the GPU build,
// CUDA 11.2 + cuDNN 8.1). Usage: pnpm gpu:install [gpu|cpu]
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const which = process.argv[2] ?? 'gpu';
if (which !== 'gpu' && which !== 'cpu') {
  console.error(`usage: pnpm gpu:install [gpu|cpu] (got "${which}")`);
  process.exit(2);
}
const pkg = which === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
const require = createRequire(new URL('../packages/core/package.json', import.meta.url));
let dir;
try {
  dir = dirname(require.resolve(`${pkg}/package.json`));
} catch {
  console.error(`${pkg} is not installed: run \`pnpm install\` first (it is an optional dependency of @facemask/engine)`);
  process.exit(1);
}
console.log(`running the install step of ${pkg} in ${dir}`);
try {
  // The package's own install script, exactly as npm would run it.
  const script = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')).scripts.install;
  execSync(script, { cwd: dir, stdio: 'inherit' });
} catch {
  console.error(`${pkg}: the install step failed (it downloads libtensorflow: check internet access, and for gpu CUDA 11.2 + cuDNN 8.1)`);
  process.exit(1);
}
console.log(`${pkg} installed: the pipeline now picks it (check the "backend:" line it prints, or force it with TFJS_BACKEND)`);
