import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RO, RW, send, testServer } from './testing/http.ts';

let s: Awaited<ReturnType<typeof testServer>>;
const at = (hash: string) => `${s.url}/v1/cache/${hash}`;

beforeEach(async () => {
  s = await testServer();
});
afterEach(async () => {
  await s.stop();
});

describe('the spec on loopback', () => {
  it('stores a PUT and serves it back on GET, byte for byte', async () => {
    const body = randomBytes(200_000);
    const put = await send(at('1370470210584224770'), { method: 'PUT', token: RW, body });
    expect(put.status).toBe(200);
    const get = await send(at('1370470210584224770'), { method: 'GET', token: RW });
    expect(get.status).toBe(200);
    expect(get.type).toBe('application/octet-stream');
    expect(get.body.equals(body)).toBe(true);
    // the read-only token reads too
    expect((await send(at('1370470210584224770'), { method: 'GET', token: RO })).body.equals(body)).toBe(true);
  });

  it('answers 404 for a hash it does not hold', async () => {
    expect((await send(at('42'), { method: 'GET', token: RW })).status).toBe(404);
  });

  it('answers 401 in text/plain (what Nx shows its user) for a missing or wrong token', async () => {
    for (const token of [undefined, 'wrong']) {
      const r = await send(at('42'), { method: 'GET', ...(token ? { token } : {}) });
      expect(r.status).toBe(401);
      // Nx 22 takes the message only with exactly this type
      expect(r.type).toBe('text/plain');
      expect(r.body.toString()).toMatch(/NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN/);
    }
    expect((await send(at('42'), { method: 'PUT', token: 'wrong', body: Buffer.from('x') })).status).toBe(401);
    expect(await readdir(s.store.dir)).toEqual([]);
  });

  it('answers 403 to a PUT with the read-only token and stores nothing', async () => {
    const r = await send(at('42'), { method: 'PUT', token: RO, body: Buffer.from('data') });
    expect(r.status).toBe(403);
    expect(r.type).toBe('text/plain');
    expect(await readdir(s.store.dir)).toEqual([]);
  });

  it('answers 409 to a second PUT of a hash and keeps the first entry', async () => {
    expect((await send(at('7'), { method: 'PUT', token: RW, body: Buffer.from('first') })).status).toBe(200);
    expect((await send(at('7'), { method: 'PUT', token: RW, body: Buffer.from('second') })).status).toBe(409);
    expect((await send(at('7'), { method: 'GET', token: RW })).body.toString()).toBe('first');
  });

  it('answers 400 to a hash that could name another path, before touching the disk', async () => {
    for (const hash of ['..%2F..%2Fetc%2Fpasswd', '../../x', '..', '.upload-1', 'a.b', '%2e%2e', 'x'.repeat(129)]) {
      expect((await send(at(hash), { method: 'PUT', token: RW, body: Buffer.from('evil') })).status, hash).toBe(400);
      expect((await send(at(hash), { method: 'GET', token: RW })).status, hash).toBe(400);
    }
    expect(await readdir(s.store.dir)).toEqual([]);
    expect(await readdir(join(s.store.dir, '..'))).toEqual(['entries']);
  });

  it('answers 400 to a PUT without a Content-Length', async () => {
    const r = await send(at('9'), { method: 'PUT', token: RW, headers: { 'Transfer-Encoding': 'chunked' } });
    expect(r.status).toBe(400);
    expect(await readdir(s.store.dir)).toEqual([]);
  });

  it('answers 413 to an entry over the size limit, from its Content-Length, and stores nothing', async () => {
    const r = await send(at('10'), { method: 'PUT', token: RW, body: Buffer.alloc(1024 * 1024 + 1) });
    expect(r.status).toBe(413);
    expect(await readdir(s.store.dir)).toEqual([]);
    expect((await send(at('10'), { method: 'PUT', token: RW, body: Buffer.alloc(1024 * 1024) })).status).toBe(200);
  });

  it('leaves one whole entry when PUTs of one hash race, every one answered 200 or 409', async () => {
    const bodies = Array.from({ length: 6 }, () => randomBytes(300_000));
    const replies = await Promise.all(bodies.map((body) => send(at('55'), { method: 'PUT', token: RW, body })));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((c) => c === 200)).toHaveLength(1);
    expect(statuses.every((c) => c === 200 || c === 409)).toBe(true);
    const stored = await readFile(join(s.store.dir, '55'));
    expect(bodies.some((b) => b.equals(stored))).toBe(true);
    expect(await readdir(s.store.dir)).toEqual(['55']);
  });

  it('keeps no entry when the client disconnects mid-upload: the next GET is a miss', async () => {
    const sock = connect(Number(new URL(s.url).port), '127.0.0.1');
    await new Promise<void>((ok) => sock.once('connect', () => ok()));
    sock.write(`PUT /v1/cache/77 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${RW}\r\nContent-Length: 100000\r\n\r\n`);
    sock.write(randomBytes(40_000));
    // the server has taken the first half into a temporary file before the client goes away
    for (let i = 0; i < 100 && !(await readdir(s.store.dir)).some((f) => f.startsWith('.upload-')); i++) await new Promise((ok) => setTimeout(ok, 20));
    sock.destroy();
    for (let i = 0; i < 100 && !s.lines.some((l) => l.includes('PUT /v1/cache/77')); i++) await new Promise((ok) => setTimeout(ok, 20));
    expect(s.lines.find((l) => l.includes('PUT /v1/cache/77'))).toMatch(/ aborted /);
    expect((await send(at('77'), { method: 'GET', token: RW })).status).toBe(404);
    expect(await readdir(s.store.dir)).toEqual([]);
  });

  it('logs one line per request, without the token', async () => {
    await send(at('1'), { method: 'GET', token: RW });
    await send(at('1'), { method: 'PUT', token: RO, body: Buffer.from('x') });
    expect(s.lines).toHaveLength(2);
    expect(s.lines[0]).toMatch(/^\S+Z 127\.0\.0\.1 GET \/v1\/cache\/1 404 0B \d+ms read-write$/);
    expect(s.lines[1]).toMatch(/ PUT \/v1\/cache\/1 403 .* read-only$/);
    expect(s.lines.join('\n')).not.toContain(RW);
  });

  it('answers 404 outside /v1/cache/ and 405 to other methods', async () => {
    expect((await send(`${s.url}/`, { method: 'GET', token: RW })).status).toBe(404);
    expect((await send(at('1'), { method: 'DELETE', token: RW })).status).toBe(405);
  });
});

describe('--no-auth', () => {
  it('serves anyone read-write', async () => {
    const open = await testServer({ auth: null });
    try {
      expect((await send(`${open.url}/v1/cache/3`, { method: 'PUT', body: Buffer.from('x') })).status).toBe(200);
      expect((await send(`${open.url}/v1/cache/3`, { method: 'GET' })).body.toString()).toBe('x');
    } finally {
      await open.stop();
    }
  });
});
