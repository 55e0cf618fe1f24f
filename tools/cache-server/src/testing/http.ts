import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCacheServer, type CacheServerOptions, type RunningCacheServer } from '../server.ts';

export const RW = 'rw-token-for-tests';
export const RO = 'ro-token-for-tests';

export interface Reply {
  status: number;
  type: string | undefined;
  body: Buffer;
}

/** One request; `body` is sent with its Content-Length unless headers say otherwise. */
export function send(url: string, opts: { method: string; token?: string; body?: Buffer; headers?: Record<string, string> }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}) };
    if (opts.body) headers['Content-Length'] = String(opts.body.length);
    // The path goes out as written: a URL object would resolve `..` before the server could see it.
    const { hostname, port } = new URL(url);
    const path = url.slice(url.indexOf('/', 'http://'.length));
    const req = request({ hostname, port, path, method: opts.method, headers: { ...headers, ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A server on 127.0.0.1, a free port and a fresh folder; `stop` removes both. */
export async function testServer(over: Partial<CacheServerOptions> = {}): Promise<RunningCacheServer & { lines: string[]; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cache-server-'));
  const lines: string[] = [];
  const s = await startCacheServer({
    dir: join(dir, 'entries'),
    port: 0,
    host: '127.0.0.1',
    auth: { readWrite: RW, readOnly: RO },
    maxEntryBytes: 1024 * 1024,
    log: (l) => lines.push(l),
    ...over,
  });
  return {
    ...s,
    lines,
    stop: async () => {
      await s.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
