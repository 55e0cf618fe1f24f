import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadError } from './errors.ts';

export interface LoadedEngine {
  tfjsNode: string;
  tensorflow: string;
  gpu: boolean;
}

// Runs in a fresh Node: loading the 850 MB library in this process would slow every later step
// and could not be undone if it fails. The load runs under the stderr-mute addon, as the engine
// runs it, and the captured lines go back to stderr for the error mapping.
const SCRIPT = `
const fs = require('fs');
const [pkg, mutePath, capture] = process.argv.slice(1);
const mute = require(mutePath);
mute.begin(capture);
let tf;
try {
  tf = require(pkg);
} finally {
  mute.end();
  process.stderr.write(fs.readFileSync(capture, 'utf8'));
}
const b = tf.backend();
const s = Array.from(tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync());
if (s[0] !== 4 || s[1] !== 6) throw new Error('1+3, 2+4 gave ' + s);
process.stdout.write(JSON.stringify({ tfjsNode: tf.version['tfjs-node'], tensorflow: b.binding.TF_Version, gpu: !!b.isUsingGpuDevice }));
`;

/** Loads the package (under the stderr-mute addon) in a child process and runs one op; throws the mapped load error. */
export function verifyLoads(packageDir: string, library: string, variant: string, env: Record<string, string | undefined>, stderrMute: string): LoadedEngine {
  const dir = mkdtempSync(join(tmpdir(), 'facemask-verify-'));
  try {
    const r = spawnSync(process.execPath, ['-e', SCRIPT, packageDir, stderrMute, join(dir, 'stderr.log')], {
      encoding: 'utf8',
      env: { ...env, TF_CPP_MIN_LOG_LEVEL: env.TF_CPP_MIN_LOG_LEVEL ?? '2' },
      timeout: 120_000,
    });
    if (r.status !== 0) throw loadError(`${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`, library, variant);
    return JSON.parse(r.stdout) as LoadedEngine;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
