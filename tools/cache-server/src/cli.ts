#!/usr/bin/env node
/**
 * `pnpm cache:serve --dir DIR [--port 3000] [--host 127.0.0.1] [--max-entry-mb 2048] [--no-auth]`:
 * a remote cache for Nx's self-hosted remote cache client. Tokens come from the environment
 * (never argv, which other users of the machine can read): see tokens.ts.
 */
import { realpathSync } from 'node:fs';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startCacheServer, type CacheServerOptions } from './server.ts';
import { READ_ONLY_TOKEN_ENV, READ_WRITE_TOKEN_ENV, tokensFromEnv } from './tokens.ts';

export const USAGE = `usage: pnpm cache:serve --dir DIR [--port 3000] [--host 127.0.0.1] [--max-entry-mb 2048] [--no-auth]
  read-write token: ${READ_WRITE_TOKEN_ENV}; read-only token (optional): ${READ_ONLY_TOKEN_ENV}`;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** The server's options from argv and the environment, or an error naming the flag and its fix. */
export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv): CacheServerOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      dir: { type: 'string' },
      port: { type: 'string', default: '3000' },
      host: { type: 'string', default: '127.0.0.1' },
      'max-entry-mb': { type: 'string', default: '2048' },
      'no-auth': { type: 'boolean', default: false },
    },
  });
  if (!values.dir) throw new Error('--dir is required: the folder that holds the cache entries');
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) throw new Error(`--port must be a port number 0..65535 (0: any free port), got "${values.port}"`);
  const mb = Number(values['max-entry-mb']);
  if (!(mb > 0) || !Number.isFinite(mb)) throw new Error(`--max-entry-mb must be a positive number of megabytes, got "${values['max-entry-mb']}"`);
  const noAuth = values['no-auth'];
  if (noAuth && !isLoopback(values.host)) {
    throw new Error(`--no-auth with --host ${values.host} would let anyone on the network write to the cache: set ${READ_WRITE_TOKEN_ENV} instead, or bind to 127.0.0.1`);
  }
  return { dir: values.dir, port, host: values.host, auth: tokensFromEnv(env, noAuth), maxEntryBytes: Math.floor(mb * 1024 * 1024) };
}

export async function main(argv: string[]): Promise<number> {
  let opts: CacheServerOptions;
  try {
    opts = parseServeArgs(argv, process.env);
  } catch (err) {
    console.error(`cache:serve: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const s = await startCacheServer(opts);
  const auth = opts.auth === null ? 'none (--no-auth)' : opts.auth.readOnly ? 'read-write and read-only tokens' : 'read-write token';
  console.log(`cache:serve: ${s.url} (dir ${s.store.dir}, auth: ${auth}, entries up to ${opts.maxEntryBytes} bytes); Ctrl-C stops it`);
  await new Promise<void>((done) => {
    const stop = () => void s.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(`cache:serve: ${(err as Error).message}`);
      process.exitCode = 1;
    },
  );
}
