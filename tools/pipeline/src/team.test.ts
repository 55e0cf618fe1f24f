import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '@facemask/contracts';
import { foldNxArgs, foldTargets, parseFoldList, remoteCacheEnv } from './team.ts';
import { main } from './cli.ts';

const config = (over: object = {}) => parseConfig({ data: { root: '/d' }, preprocess: { folds: 5 }, ...over });

describe('--folds', () => {
  it('reads a comma list of fold numbers, each once, sorted', () => {
    expect(parseFoldList('3,2')).toEqual([2, 3]);
    expect(parseFoldList(' 4 , 4,0')).toEqual([0, 4]);
    for (const bad of ['', '2,', 'a', '1-3', '-1', '2.5']) expect(() => parseFoldList(bad), bad).toThrow(/--folds takes fold numbers/);
  });

  it('selects the round-1 training task of each fold, by Nx task selection', () => {
    const ids = foldTargets(config(), [2, 3]);
    expect(ids).toEqual(['train:round1-fold-2', 'train:round1-fold-3']);
    expect(foldNxArgs(ids)).toEqual(['run-many', '--targets=round1-fold-2,round1-fold-3', '--projects=train', '--outputStyle=stream']);
  });

  it('refuses folds the config does not train, naming those it does', () => {
    expect(() => foldTargets(config(), [5])).toThrow(/--folds 5: the config trains folds 0,1,2,3,4/);
    expect(() => foldTargets(config({ train: { folds: [0, 1] } }), [1, 2])).toThrow(/--folds 2: the config trains folds 0,1 /);
  });

  it('is a usage error on the command line before anything runs', async () => {
    expect(await main(['--config', 'tools/pipeline/configs/demo.json', '--folds', 'x'])).toBe(2);
  });
});

describe('remoteCacheEnv', () => {
  it('passes the remote cache variables on when the server answers, whatever it answers', async () => {
    const server = createServer((_req, res) => res.writeHead(401, { 'Content-Type': 'text/plain' }).end('no'));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const env = { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 't', NX_OTHER: 'x' };
      expect(await remoteCacheEnv(env)).toEqual({ env: { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 't' } });
    } finally {
      await new Promise((ok) => server.close(ok));
    }
    expect(await remoteCacheEnv({})).toEqual({ env: {} });
  });

  it('leaves a server that does not answer out, with one warning', async () => {
    const server = createServer();
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((ok) => server.close(ok));
    const r = await remoteCacheEnv({ NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url });
    expect(r.env).toEqual({});
    expect(r.warning).toMatch(new RegExp(`^warning: remote cache ${url} did not answer \\(ECONNREFUSED\\); this run uses the local cache only`));
  });
});
