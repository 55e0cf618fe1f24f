import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classTable, manifestFile, MODEL_FOLDER_FILES, type ModelManifest } from '@facemask/contracts';
import { startKiosk, type Kiosk } from './server.ts';

// A manifest is all startKiosk reads: no training, no browser.
const sha = 'a'.repeat(64);
const manifest: ModelManifest = {
  name: 'server-test',
  exportedAt: '2025-01-01T00:00:00.000Z',
  members: [{ fold: 0, path: 'folds/fold-0', oofMacroF1: 0.9, bestEpoch: 1 }],
  head: 'multi',
  vote: { method: 'soft', weights: [1] },
  input: { height: 64, width: 64, channels: 3 },
  crop: { kind: 'centre', size: 384 },
  normalize: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  tta: 'hflip',
  classes: classTable({ young: 30, old: 58 }),
  ageThresholds: { young: 30, old: 58 },
  source: { round: 1, configHash: sha, trainParamsHash: sha, data: { dataset: sha, files: 1, bytes: 1, optionsHash: sha }, backend: 'wasm' },
  scores: { n: 1, accuracy: 1, macroF1: 1, perClass: classTable({ young: 30, old: 58 }).map((c) => ({ cls: c.id, f1: 1, support: 1 })), folds: [{ fold: 0, n: 1, accuracy: 1, macroF1: 1 }] },
};

/** GET `path` with the Host header given (fetch always sends the URL's own). */
function get(url: string, path: string, host: string | null): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path, headers: host === null ? {} : { host }, setHost: host !== null }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('the kiosk server', () => {
  let dir: string;
  let kiosk: Kiosk;
  let port: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kiosk-server-'));
    const model = join(dir, 'model');
    await mkdir(join(model, 'folds', 'fold-0'), { recursive: true });
    await writeFile(join(model, MODEL_FOLDER_FILES.manifest), JSON.stringify(manifestFile(manifest)));
    await writeFile(join(model, 'folds', 'fold-0', 'model.json'), '{"inside": true}');
    await writeFile(join(dir, 'secret.txt'), 'not the model');
    await symlink(join(dir, 'secret.txt'), join(model, 'escape.json'));
    await symlink(join(model, 'folds'), join(model, 'members'));
    kiosk = await startKiosk({ model, port: 0 });
    port = new URL(kiosk.url).port;
  }, 300_000);

  afterAll(async () => {
    await kiosk?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers a Host that names the address it serves, and refuses any other (DNS rebinding)', async () => {
    expect((await get(kiosk.url, '/model/manifest.json', `127.0.0.1:${port}`)).status).toBe(200);
    expect((await get(kiosk.url, '/model/manifest.json', `localhost:${port}`)).status).toBe(200);
    const rebound = await get(kiosk.url, '/model/manifest.json', `attacker.example:${port}`);
    expect(rebound.status).toBe(421);
    expect(rebound.body).toBe(`Host attacker.example:${port} is not this kiosk's address: open 127.0.0.1:${port}`);
    expect((await get(kiosk.url, '/', `127.0.0.1:${Number(port) + 1}`)).status).toBe(421);
    // Node itself answers 400 to an HTTP/1.1 request without Host.
    expect((await get(kiosk.url, '/', null)).status).toBe(400);
  });

  it('follows a symlink inside the model folder, never one that leads out of it', async () => {
    const host = `127.0.0.1:${port}`;
    expect(await get(kiosk.url, '/model/members/fold-0/model.json', host)).toEqual({ status: 200, body: '{"inside": true}' });
    expect((await get(kiosk.url, '/model/escape.json', host)).status).toBe(404);
  });
});
