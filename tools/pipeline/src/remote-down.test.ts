import { createServer, type Server } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from './testing/run-script.ts';
import { tinyConfig } from './testing/tiny-config.ts';
import { workspaceWithData, type WorkspaceWithData } from './testing/workspace-copy.ts';

/**
 * A remote cache that stops mid-run: it answers every download with a miss, and at the first
 * upload drops the connection and stops listening (a server killed while the first task's results
 * go up). The pipeline must go on locally with one warning and finish.
 */
let ws: string;
let dir: string;
let fixture: WorkspaceWithData;
let server: Server;
let url: string;
let puts = 0;

beforeAll(async () => {
  fixture = await workspaceWithData('remote-down', { people: 10, seed: 20261206 });
  ({ ws, dir } = fixture);
  server = createServer((req, res) => {
    if (req.method === 'PUT') {
      puts++;
      req.socket.destroy();
      server.close();
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('miss');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  url = `http://127.0.0.1:${addr.port}`;
}, 300_000);

afterAll(async () => {
  server.close();
  await fixture.remove();
});

describe('a remote cache that stops during a run', () => {
  it('leaves one warning, and the pipeline finishes on the local cache', async () => {
    const cfg = tinyConfig(join(dir, 'data'));
    const file = join(dir, 'team.json');
    await writeFile(file, JSON.stringify(cfg));
    const { code, output } = await runScript(ws, 'tools/pipeline/src/cli.ts', ['--config', file], { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'secret' });
    expect(puts, 'the server saw an upload before it stopped').toBeGreaterThan(0);
    expect(code, output.slice(-3000)).toBe(0);
    expect(output.match(/stopped answering during the run; going on with the local cache only/g)).toHaveLength(1);
    expect(output).toMatch(/^submission: .*data\/work\/submission\/submission\.csv$/m);
  }, 900_000);
});
