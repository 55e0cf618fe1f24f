import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isValidHash } from './hash.ts';
import { DirStore, IncompleteUpload } from './store.ts';
import { accessFor, type Access, type AuthPolicy } from './tokens.ts';

export interface CacheServerOptions {
  dir: string;
  port: number;
  host: string;
  auth: AuthPolicy;
  /** Largest entry accepted, in bytes (413 above it). */
  maxEntryBytes: number;
  /** Receives one line per request. */
  log?: (line: string) => void;
}

export interface RunningCacheServer {
  url: string;
  server: Server;
  store: DirStore;
  close(): Promise<void>;
}

const ROUTE = '/v1/cache/';

// Nx 22's client reads a 401's body as the message for its user only when the type is exactly
// "text/plain" (no charset), else it reports a misconfigured server: every error answers so.
function answer(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(message), ...headers });
  res.end(message);
}

/** Content-Length as a plain integer, or null when missing or malformed. */
function contentLength(req: IncomingMessage): number | null {
  const v = req.headers['content-length'];
  return v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : null;
}

function logLine(req: IncomingMessage, res: ServerResponse, started: number, access: Access | null, bytes: () => number): string {
  // The path comes from the client: control characters and length are trimmed before it is logged.
  // eslint-disable-next-line no-control-regex
  const path = (req.url ?? '').replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 200);
  const status = res.writableFinished ? String(res.statusCode) : 'aborted';
  return `${new Date(started).toISOString()} ${req.socket.remoteAddress ?? '-'} ${req.method} ${path} ${status} ${bytes()}B ${Date.now() - started}ms ${access ?? 'no-access'}`;
}

/** The request handler: the spec's two operations on a directory store. */
export function cacheHandler(store: DirStore, opts: Pick<CacheServerOptions, 'auth' | 'maxEntryBytes' | 'log'>) {
  const log = opts.log ?? ((line: string) => console.log(line));
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    let access: Access | null = null;
    let bytes = 0;
    res.once('close', () => log(logLine(req, res, started, access, () => bytes)));
    try {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (!path.startsWith(ROUTE)) return answer(res, 404, 'Not found: the cache lives under /v1/cache/{hash}');
      access = accessFor(req.headers.authorization, opts.auth);
      if (access === null) return answer(res, 401, 'Missing or invalid authentication token: set NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN to a token this cache server accepts');
      const hash = path.slice(ROUTE.length);
      if (!isValidHash(hash)) return answer(res, 400, 'Invalid hash: letters, digits, "-" and "_" only, at most 128');

      if (req.method === 'GET') {
        const entry = await store.get(hash);
        if (!entry) return answer(res, 404, 'The record was not found');
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': entry.size });
        entry.stream.on('data', (c: Buffer | string) => (bytes += c.length));
        entry.stream.on('error', () => res.destroy());
        entry.stream.pipe(res);
        return;
      }
      if (req.method === 'PUT') {
        if (access !== 'read-write') return answer(res, 403, 'Access forbidden: this token is read-only', { Connection: 'close' });
        const length = contentLength(req);
        if (length === null) return answer(res, 400, 'Missing or invalid Content-Length header', { Connection: 'close' });
        // Refused before the body is read; closing the connection spares reading what was sent.
        if (length > opts.maxEntryBytes) return answer(res, 413, `Entry of ${length} bytes is over this server's limit of ${opts.maxEntryBytes} (--max-entry-mb)`, { Connection: 'close' });
        if (await store.has(hash)) return answer(res, 409, 'Cannot override an existing record', { Connection: 'close' });
        // No 'data' listener on req here: it would start the body flowing before store.put pipes it.
        const result = await store.put(hash, req, length);
        bytes = length;
        return result === 'stored' ? answer(res, 200, 'Successfully uploaded the output') : answer(res, 409, 'Cannot override an existing record');
      }
      return answer(res, 405, 'Method not allowed: GET or PUT', { Allow: 'GET, PUT' });
    } catch (err) {
      // A client that went away gets no answer; nothing was stored for it.
      if (req.destroyed || res.destroyed) return;
      if (err instanceof IncompleteUpload) return answer(res, 400, `Incomplete upload: ${err.message}`, { Connection: 'close' });
      console.error(`cache-server: ${req.method} ${req.url}: ${(err as Error).message}`);
      if (!res.headersSent) answer(res, 500, 'Internal error; the server log says why', { Connection: 'close' });
      else res.destroy();
    }
  };
}

/** Starts the server; resolves once it listens. */
export async function startCacheServer(opts: CacheServerOptions): Promise<RunningCacheServer> {
  const store = await DirStore.open(opts.dir);
  const handle = cacheHandler(store, opts);
  // An upload of a large entry on a slow link may take long; a stalled one is still cut off.
  const server = createServer({ requestTimeout: 30 * 60 * 1000 }, (req, res) => void handle(req, res));
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'EADDRINUSE' ? `port ${opts.port} on ${opts.host} is in use: pass --port another one (0: any free port)` : `cannot listen on ${opts.host}:${opts.port}: ${err.message}`)),
    );
    server.listen(opts.port, opts.host, () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}`,
    server,
    store,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
