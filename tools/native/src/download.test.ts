import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadTarball, probe } from './download.ts';
import { findLibrary } from './library.ts';
import { miniLibtensorflowTarball } from './testing/tarball.ts';

let dir: string;
let server: Server;
let base: string;
let tarball: Buffer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'native-dl-'));
  tarball = await miniLibtensorflowTarball(dir);
  server = createServer((req, res) => {
    if (req.url === '/hang') return; // accepts, never answers
    if (req.url !== '/libtensorflow.tar.gz') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': tarball.length });
    res.end(req.method === 'HEAD' ? undefined : tarball);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('probe', () => {
  it('reachable is null; otherwise the reason, quickly', async () => {
    expect(await probe(`${base}/libtensorflow.tar.gz`, 2000)).toBeNull();
    expect(await probe(`${base}/missing.tar.gz`, 2000)).toBe('HTTP 404');
    const t0 = performance.now();
    expect(await probe(`${base}/hang`, 300)).toBe('no answer within 300 ms');
    expect(performance.now() - t0).toBeLessThan(2000);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await probe(`http://127.0.0.1:${port}/x`, 2000)).toBe('ECONNREFUSED');
    expect(await probe('http://host.invalid/x', 2000)).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });
});

describe('downloadTarball', () => {
  it('unpacks the libtensorflow layout that findLibrary then recognises', async () => {
    const out = join(dir, 'out');
    mkdirSync(out);
    await downloadTarball(`${base}/libtensorflow.tar.gz`, out);
    const lib = findLibrary(out, 'download', 'x');
    expect(readFileSync(lib.main, 'utf8')).toBe('main');
    expect(readFileSync(lib.framework, 'utf8')).toBe('framework');
    expect(lib.tensorflowVersion).toBe('2.9.1');
  });

  it('an HTTP error is an error', async () => {
    await expect(downloadTarball(`${base}/missing.tar.gz`, dir)).rejects.toThrow(/HTTP 404/);
  });
});
