import { readFile, realpath } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { extname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { wasmBinaryDir } from '@facemask/engine';
import { readManifest } from '@facemask/ship';
import { bundlePage, KIOSK_DIR } from './bundle.ts';

/**
 * `pnpm kiosk`'s server: the page (index.html, kiosk.css, the bundled app.js), the model folder
 * under /model/ and tfjs' wasm binaries under /tfjs-wasm/, from this repository's files only.
 * Only requests whose Host names the address served are answered: a DNS-rebinding page (its own
 * name resolved to 127.0.0.1) would otherwise read the model from the visitor's browser.
 */

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

export interface KioskOptions {
  model: string;
  port?: number;
  host?: string;
}

export interface Kiosk {
  url: string;
  close(): Promise<void>;
}

export async function startKiosk(opts: KioskOptions): Promise<Kiosk> {
  // Real path: a symlink inside the folder is followed only when it lands inside it too.
  const model = await realpath(resolve(opts.model)).catch(() => resolve(opts.model));
  // A folder that is not an export fails here, with its fix, rather than in the page.
  await readManifest(model);
  const app = await bundlePage();
  const page = join(KIOSK_DIR, 'page');
  const wasm = wasmBinaryDir();
  let hosts = new Set<string>();
  const server = createServer((req, res) => {
    if (!hosts.has((req.headers.host ?? '').toLowerCase())) {
      return send(res, 421, 'text/plain', `Host ${req.headers.host ?? '(none)'} is not this kiosk's address: open ${[...hosts][0] ?? ''}`);
    }
    route(req, res, { app, page, model, wasm }).catch((err: unknown) => send(res, 500, 'text/plain', String((err as Error).message)));
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 8080, opts.host ?? '127.0.0.1', ok);
  });
  const { address, port } = server.address() as AddressInfo;
  hosts = allowedHosts(address, port);
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, at: { app: string; page: string; model: string; wasm: string }): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'GET only');
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  if (path === '/' || path === '/index.html') return file(res, join(at.page, 'index.html'));
  if (path === '/kiosk.css') return file(res, join(at.page, 'kiosk.css'));
  if (path === '/app.js') return send(res, 200, TYPES['.js']!, at.app);
  if (path.startsWith('/tfjs-wasm/') && WASM_FILES.includes(path.slice('/tfjs-wasm/'.length))) return file(res, join(at.wasm, path.slice('/tfjs-wasm/'.length)));
  if (path.startsWith('/model/')) {
    const inside = inFolder(at.model, path.slice('/model/'.length));
    if (inside) return file(res, inside, at.model);
  }
  send(res, 404, 'text/plain', `${path}: not found`);
}

/** `rel` inside `dir`, or null when it would leave it. */
function inFolder(dir: string, rel: string): string | null {
  const n = normalize(rel);
  if (isAbsolute(n) || n === '..' || n.startsWith(`..${sep}`)) return null;
  return join(dir, n);
}

/**
 * The Host values that name this server: the address it listens on with its port; for loopback
 * also `localhost`; for every address (0.0.0.0, ::) each of this machine's addresses and its name.
 */
function allowedHosts(address: string, port: number): Set<string> {
  const names = [address];
  if (address === '127.0.0.1' || address === '::1') names.push('localhost');
  if (address === '0.0.0.0' || address === '::') {
    names.push('localhost', hostname());
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.push(a.address);
  }
  return new Set(names.map((n) => `${n.includes(':') ? `[${n}]` : n}:${port}`.toLowerCase()));
}

/** `path`'s file, when its real path (symlinks resolved) is inside `root` (if given). */
async function file(res: ServerResponse, path: string, root?: string): Promise<void> {
  let body: Buffer;
  try {
    const real = root ? await realpath(path) : path;
    const rel = root ? relative(root, real) : '';
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return send(res, 404, 'text/plain', 'not found');
    body = await readFile(real);
  } catch {
    return send(res, 404, 'text/plain', 'not found');
  }
  send(res, 200, TYPES[extname(path)] ?? 'application/octet-stream', body);
}

function send(res: ServerResponse, code: number, type: string, body: string | Buffer): void {
  res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
