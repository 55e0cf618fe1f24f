import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libraryDir } from './cache.ts';
import { resolveLibrary } from './install.ts';
import { miniLibtensorflowTarball } from './testing/tarball.ts';

// The source order end to end, without pip or a build: the package's download served by a local
// server as a miniature libtensorflow tarball, pip replaced by a command that does not exist.
let dir: string;
let server: Server;
let base: string;
let served = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'native-resolve-'));
  const tarball = await miniLibtensorflowTarball(dir);
  server = createServer((req, res) => {
    if (req.method === 'GET') served++;
    if (req.url === '/good-cpu-linux-x86_64-2.9.1.tar.gz') res.writeHead(200).end(req.method === 'HEAD' ? undefined : tarball);
    else if (req.url === '/broken-cpu-linux-x86_64-2.9.1.tar.gz') res.writeHead(200).end(req.method === 'HEAD' ? undefined : tarball.subarray(0, 100));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const NO_PIP = { FACEMASK_PIP: 'no-such-pip-here', PATH: process.env.PATH };

describe('resolveLibrary', () => {
  it('takes the package download when it answers, caches it, and a rerun uses the cache without the network', async () => {
    const root = join(dir, 'cache-good');
    const env = { ...NO_PIP, TFJS_NODE_BASE_URI: `${base}/good-` };
    const lines: string[] = [];
    const lib = await resolveLibrary({ variant: 'cpu', env, refresh: false, root, log: (l) => lines.push(l), probeTimeoutMs: 2000 });
    expect(lib.source).toBe('download');
    expect(lib.tensorflowVersion).toBe('2.9.1');
    expect(readFileSync(lib.main, 'utf8')).toBe('main');
    expect(existsSync(join(libraryDir(root, 'cpu', 'download', '2.9.1'), 'library.json'))).toBe(true);
    const gets = served;
    const again = await resolveLibrary({ variant: 'cpu', env: { ...env, TFJS_NODE_BASE_URI: 'http://127.0.0.1:1/unused-' }, refresh: false, root, log: () => {}, probeTimeoutMs: 2000 });
    expect(again.main).toBe(lib.main);
    expect(served).toBe(gets);
  });

  it('falls through an unreachable or broken download to the wheel, and reports the wheel route\'s failure', async () => {
    for (const prefix of ['missing-', 'broken-']) {
      const root = join(dir, `cache-${prefix}`);
      const lines: string[] = [];
      const env = { ...NO_PIP, TFJS_NODE_BASE_URI: `${base}/${prefix}` };
      await expect(resolveLibrary({ variant: 'cpu', env, refresh: false, root, log: (l) => lines.push(l), probeTimeoutMs: 2000 })).rejects.toThrow(/^no pip: /);
      expect(lines.join('\n')).toMatch(prefix === 'missing-' ? /is unreachable \(HTTP 404\); trying the next source/ : /downloading .* failed \(.*\); trying the next source/);
      expect(existsSync(libraryDir(root, 'cpu', 'download', '2.9.1'))).toBe(false);
    }
  });

  it('LIBTENSORFLOW_DIR is used as is, and a wrong one is an error, not a download', async () => {
    const lib = await resolveLibrary({ variant: 'gpu', env: { LIBTENSORFLOW_DIR: join(dir, 'src') }, refresh: false, root: join(dir, 'unused'), log: () => {}, probeTimeoutMs: 10 });
    expect(lib.source).toBe('dir');
    expect(lib.main).toBe(join(dir, 'src', 'lib', 'libtensorflow.so.2.9.1'));
    await expect(
      resolveLibrary({ variant: 'cpu', env: { LIBTENSORFLOW_DIR: join(dir, 'nowhere'), TFJS_NODE_BASE_URI: `${base}/good-` }, refresh: false, root: join(dir, 'unused'), log: () => {}, probeTimeoutMs: 2000 }),
    ).rejects.toThrow(/^LIBTENSORFLOW_DIR=.*nowhere has no libtensorflow_cc\.so\.2/);
  });
});
