import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface ScriptRun {
  code: number;
  /** stdout and stderr as they came. */
  output: string;
  stdout: string;
  seconds: number;
}

/**
 * A workspace script run as its package script runs it (through tsx, workspace packages from
 * source) from `cwd`, a workspace or a copy of one, without this process's NX_* settings: an outer
 * Nx run's must not reach the script's own Nx (as in runNx).
 */
export function runScript(cwd: string, script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ScriptRun> {
  const started = Date.now();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NX_')));
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', script, ...args], {
    cwd,
    env: { ...inherited, FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => ((output += c.toString()), (stdout += c.toString())));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((ok, fail) => {
    child.on('error', fail);
    child.on('close', (code) => ok({ code: code ?? 1, output, stdout, seconds: (Date.now() - started) / 1000 }));
  });
}

export interface CacheServer {
  url: string;
  /** Every line it printed (one per request). */
  lines: string[];
  stop(): Promise<void>;
}

/** `pnpm cache:serve` of the workspace at `cwd`, storing in `dir`, on a free loopback port. */
export async function startCacheServer(cwd: string, dir: string, token: string): Promise<CacheServer> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NX_')));
  const server: ChildProcessByStdio<null, Readable, Readable> = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', 'tools/cache-server/src/cli.ts', '--dir', dir, '--port', '0', '--host', '127.0.0.1'],
    { cwd, env: { ...inherited, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  server.stderr.on('data', (c: Buffer) => lines.push(...c.toString().split('\n').filter(Boolean)));
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`cache server did not start:\n${lines.join('\n')}`)), 60_000);
    server.stdout.on('data', (c: Buffer) => {
      for (const line of c.toString().split('\n')) {
        lines.push(line);
        const m = /^cache:serve: (http:\/\/127\.0\.0\.1:\d+) /.exec(line);
        if (m?.[1]) {
          clearTimeout(timer);
          ok(m[1]);
        }
      }
    });
    server.on('exit', (code) => fail(new Error(`cache server exited (${code}):\n${lines.join('\n')}`)));
  });
  return {
    url,
    lines,
    async stop() {
      if (server.exitCode !== null) return;
      server.kill('SIGTERM');
      await new Promise((done) => server.once('exit', done));
    },
  };
}
