import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { lockWorkspaceNx } from './nx-lock.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

const require = createRequire(import.meta.url);

export interface NxRun {
  code: number;
  output: string;
}

/**
 * Runs Nx for the pipeline with FACEMASK_CONFIG set, streaming its output (unless quiet) and
 * returning it, so callers can read which tasks were cached.
 */
export async function runNx(args: string[], opts: { config: string; env?: NodeJS.ProcessEnv; quiet?: boolean; cwd?: string }): Promise<NxRun> {
  const lock = await lockWorkspaceNx(opts.cwd ?? WORKSPACE_ROOT, opts.quiet ? () => {} : undefined);
  try {
    return await spawnNx(args, opts);
  } finally {
    await lock.release();
  }
}

function spawnNx(args: string[], opts: { config: string; env?: NodeJS.ProcessEnv; quiet?: boolean; cwd?: string }): Promise<NxRun> {
  const nxBin = require.resolve('nx/bin/nx.js', { paths: [opts.cwd ?? WORKSPACE_ROOT] });
  return new Promise((resolvePromise, reject) => {
    // An outer Nx run (e.g. this package's own test target) passes its task's NX_* settings down,
    // --skip-nx-cache among them: the pipeline's Nx must not inherit them.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NX_')));
    const child = spawn(process.execPath, [nxBin, ...args], {
      cwd: opts.cwd ?? WORKSPACE_ROOT,
      env: {
        ...inherited,
        ...opts.env,
        FACEMASK_CONFIG: opts.config,
        NX_DAEMON: 'false',
        NX_NO_CLOUD: 'true',
        // Nx otherwise starts a worker process per plugin (its own and ours): about 0.8 s of an
        // all-cached run on two cores. Our plugin is loaded from this repository, so isolating it
        // buys nothing; Nx itself runs without isolation on WASM builds and in sandboxes.
        NX_ISOLATE_PLUGINS: 'false',
        // One Nx workspace data for every config: it holds Nx's record of what its cache holds,
        // so a run of config B never makes config A's cached tasks unknown to A's next run. The
        // key files the plugin writes for a config go to a folder of their own (relative to the
        // workspace: the targets name it through this variable, and targets are part of keys).
        FACEMASK_KEYS: `.nx/facemask-keys/${createHash('sha256').update(opts.config).digest('hex').slice(0, 12)}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const take = (chunk: Buffer, to: NodeJS.WriteStream) => {
      output += chunk.toString();
      if (!opts.quiet) to.write(chunk);
    };
    child.stdout.on('data', (c: Buffer) => take(c, process.stdout));
    child.stderr.on('data', (c: Buffer) => take(c, process.stderr));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

/**
 * The tasks of a run and whether Nx served each from its cache, read from its "> nx run
 * project:target [local cache]" lines (Nx's stream output style).
 */
export function taskOutcomes(output: string): Map<string, 'cached' | 'ran'> {
  const tasks = new Map<string, 'cached' | 'ran'>();
  // eslint-disable-next-line no-control-regex
  for (const line of output.replace(/\u001b\[[0-9;]*m/g, '').split('\n')) {
    const m = /^>\s+nx run ([\w-]+:[\w-]+)(.*)$/.exec(line.trim());
    if (!m?.[1]) continue;
    const cached = /\[(local cache|remote cache|existing outputs match the cache, left as is)\]/.test(m[2] ?? '');
    tasks.set(m[1], cached ? 'cached' : 'ran');
  }
  return tasks;
}
