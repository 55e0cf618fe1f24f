import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parseConfig } from '@facemask/contracts';
import { DEFAULT_SYNTH_OPTIONS, generateDataset } from '@facemask/synth';
import { foldNxArgs, foldTargets, parseFoldList, remoteCacheEnv, runNxWithRemote } from './team.ts';
import { main } from './cli.ts';
import { runNx } from './nx.ts';
import type * as Nx from './nx.ts';
import { runPipeline } from './run.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

// What the pipeline hands Nx, without running it (the loopback test in team-clones.test.ts runs it).
vi.mock('./nx.ts', async (actual) => ({ ...(await actual<typeof Nx>()), runNx: vi.fn(async () => ({ code: 1, output: '' })) }));

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

describe('runPipeline through a remote cache', () => {
  it("runs Nx with the remote cache's variables beside its own, and once more without them when the run fails and the server is gone", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'facemask-team-'));
    const work = join(WORKSPACE_ROOT, 'data', `.test-team-${process.pid}`);
    try {
      await generateDataset({ ...DEFAULT_SYNTH_OPTIONS, out: join(dir, 'data'), people: 4, seed: 5, width: 48, height: 64, quiet: true });
      const file = join(dir, 'c.json');
      await writeFile(file, JSON.stringify({ data: { root: join(dir, 'data'), work }, preprocess: { folds: 2 } }));
      const remote = { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: 'http://127.0.0.1:1', NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 't' };
      await expect(runPipeline(file, { quiet: true, backend: 'wasm', env: remote })).rejects.toThrow(/the pipeline failed \(nx exited with 1\)/);
      // one run through the remote cache; it failed and the server (port 1) does not answer, so
      // the same run once more on the local cache alone
      expect(vi.mocked(runNx)).toHaveBeenCalledTimes(2);
      const [args, opts] = vi.mocked(runNx).mock.calls[0]!;
      expect(args.slice(0, 2)).toEqual(['run', 'report:run']);
      expect(opts.env).toEqual({ ...remote, TFJS_BACKEND: 'wasm' });
      const [again, local] = vi.mocked(runNx).mock.calls[1]!;
      expect(again).toEqual(args);
      expect(local.env).toEqual({ TFJS_BACKEND: 'wasm' });
    } finally {
      await Promise.all([rm(dir, { recursive: true, force: true }), rm(work, { recursive: true, force: true })]);
    }
  }, 60_000);
});

describe('runNxWithRemote', () => {
  it('does not run again when the server still answers: the failure is the task\'s own', async () => {
    vi.mocked(runNx).mockClear();
    const server = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const said: string[] = [];
      const r = await runNxWithRemote(['run', 'report:run'], { config: 'c.json', env: { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url } }, (l) => said.push(l));
      expect(r.code).toBe(1);
      expect(vi.mocked(runNx)).toHaveBeenCalledTimes(1);
      expect(said).toEqual([]);
    } finally {
      server.close();
    }
  });
});
