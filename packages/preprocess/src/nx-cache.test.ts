import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageCacheIndexArtifact, readArtifact, targets, WORKSPACE_ROOT, workLayout, type ConfigInput } from '@facemask/contracts';
import { openImageCache } from '@facemask/image-cache';
import { makeFixture, makePeople, type Fixture } from './test-utils/fixture.ts';

/**
 * The pixel stores live outside preprocess's Nx output (`<work>/.cache/images`), so Nx does not
 * copy them into its cache; a preprocess output Nx restores must still find its store, or rebuild
 * it when it is gone. Runs preprocess through Nx with an Nx cache of its own.
 */
let f: Fixture;
let work: string;
let configFile: string;
let nxCache: string;

beforeAll(async () => {
  f = await makeFixture(makePeople(6), 4);
  nxCache = join(f.root, '..', 'nx-cache');
  // Nx caches outputs inside the workspace only, so the work folder lives there.
  work = join(WORKSPACE_ROOT, 'data', `.test-store-${process.pid}`);
  configFile = join(f.root, '..', 'experiment.json');
  const cfg: ConfigInput = { name: 'store-test', seed: 3, data: { root: f.root, work }, preprocess: { folds: 2, centerCrop: null, height: 64, width: 64 } };
  await writeFile(configFile, JSON.stringify(cfg));
});

afterAll(async () => {
  await f?.cleanup();
  await rm(work, { recursive: true, force: true });
});

/** `nx run preprocess:run` for the config, with an Nx cache of its own: did Nx run it or restore it? */
function preprocess(...args: string[]): 'cached' | 'ran' {
  const nx = createRequire(import.meta.url).resolve('nx/bin/nx.js', { paths: [WORKSPACE_ROOT] });
  // An outer Nx run (this package's test target) passes its NX_* settings down: not to this one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NX_')));
  const r = spawnSync(process.execPath, [nx, 'run', targets.preprocess, '--outputStyle=stream', ...args], {
    cwd: WORKSPACE_ROOT,
    encoding: 'utf8',
    env: {
      ...env,
      FORCE_COLOR: '0',
      FACEMASK_CONFIG: configFile,
      NX_CACHE_DIRECTORY: nxCache,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_WORKSPACE_DATA_DIRECTORY: join(f.root, '..', 'nx-workspace-data'),
    },
  });
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`nx failed (${r.status}):\n${out.slice(-4000)}`);
  const line = out.split('\n').find((l) => l.trim().startsWith(`> nx run ${targets.preprocess}`));
  if (!line) throw new Error(`no task line in Nx's output:\n${out.slice(-2000)}`);
  return /\[(local cache|existing outputs match the cache, left as is)\]/.test(line) ? 'cached' : 'ran';
}

async function filesUnder(d: string): Promise<{ path: string; size: number }[]> {
  const entries = (await readdir(d, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  return Promise.all(entries.map(async (e) => ({ path: join(e.parentPath, e.name), size: (await stat(join(e.parentPath, e.name))).size })));
}

async function pixels(logs: string[]): Promise<Buffer> {
  const cache = await openImageCache(work, 'train', { root: f.root, quiet: true, log: (l) => logs.push(l) });
  try {
    return Buffer.from(await cache.read(Array.from({ length: cache.count }, (_, i) => i)));
  } finally {
    await cache.close();
  }
}

describe('image stores and the Nx cache', () => {
  it('Nx caches the preprocess output without its pixels; a restored output finds its store, or rebuilds it when it is gone', async () => {
    expect(preprocess()).toBe('ran');
    const index = await readArtifact(imageCacheIndexArtifact, workLayout.imageCache(workLayout.preprocess(work).dir, 'train').index);
    const store = workLayout.imageStore(work, index.store);
    const storeBytes = (await stat(store.pixels)).size;
    expect(storeBytes).toBe(index.count * 64 * 64 * 3);
    // nothing of pixel size went into Nx's cache: it holds the JSON artifacts only
    const cached = await filesUnder(nxCache);
    expect(cached.filter((f) => f.path.endsWith('.u8'))).toEqual([]);
    expect(cached.reduce((a, f) => a + f.size, 0)).toBeLessThan(storeBytes);
    const before = await pixels([]);

    // the output restored from Nx's cache finds its store
    await rm(workLayout.preprocess(work).dir, { recursive: true });
    expect(preprocess()).toBe('cached');
    expect(existsSync(workLayout.imageCache(workLayout.preprocess(work).dir, 'train').index)).toBe(true);
    const logs: string[] = [];
    expect((await pixels(logs)).equals(before)).toBe(true);
    expect(logs).toEqual([]);

    // the store deleted: Nx still serves the output from its cache, and opening it rebuilds the store
    await rm(workLayout.imageStores(work), { recursive: true });
    expect(preprocess()).toBe('cached');
    expect((await pixels(logs)).equals(before)).toBe(true);
    expect(logs).toEqual([expect.stringMatching(new RegExp(`^image store ${store.dir} .* is missing or incomplete: rebuilding it from its ${index.count} photos$`))]);
    expect((await stat(store.pixels)).size).toBe(storeBytes);
  }, 600_000);

  it('--skip-nx-cache rebuilds a store overwritten in place (same size) instead of reusing it', async () => {
    const index = await readArtifact(imageCacheIndexArtifact, workLayout.imageCache(workLayout.preprocess(work).dir, 'train').index);
    const before = await pixels([]);
    const fh = await open(workLayout.imageStore(work, index.store).pixels, 'r+');
    await fh.write(new Uint8Array(4096).fill(255), 0, 4096, 1000);
    await fh.close();
    expect(preprocess('--skip-nx-cache')).toBe('ran');
    expect(await readFile(workLayout.preprocess(work).summaryText, 'utf8')).toMatch(/train \d+ built/);
    const logs: string[] = [];
    expect((await pixels(logs)).equals(before)).toBe(true);
    expect(logs).toEqual([]);
  }, 600_000);
});
