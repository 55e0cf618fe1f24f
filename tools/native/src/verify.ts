import { spawnSync } from 'node:child_process';
import { loadError } from './errors.ts';

export interface LoadedEngine {
  tfjsNode: string;
  tensorflow: string;
  gpu: boolean;
}

// Runs in a fresh Node: loading the 850 MB library in this process would slow every later step
// and could not be undone if it fails.
const SCRIPT = `
const tf = require(process.argv[1]);
const b = tf.backend();
const s = Array.from(tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync());
if (s[0] !== 4 || s[1] !== 6) throw new Error('1+3, 2+4 gave ' + s);
process.stdout.write(JSON.stringify({ tfjsNode: tf.version['tfjs-node'], tensorflow: b.binding.TF_Version, gpu: !!b.isUsingGpuDevice }));
`;

/** Loads the package in a child process and runs one op; throws the mapped load error. */
export function verifyLoads(packageDir: string, library: string, variant: string, env: Record<string, string | undefined> = process.env): LoadedEngine {
  const r = spawnSync(process.execPath, ['-e', SCRIPT, packageDir], {
    encoding: 'utf8',
    env: { ...env, TF_CPP_MIN_LOG_LEVEL: env.TF_CPP_MIN_LOG_LEVEL ?? '2' },
    timeout: 120_000,
  });
  if (r.status !== 0) throw loadError(`${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`, library, variant);
  return JSON.parse(r.stdout) as LoadedEngine;
}
