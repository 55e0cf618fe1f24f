import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNx, taskOutcomes } from './nx.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

/**
 * The parity fixtures live outside the workspace (REFERENCE_DIR), where Nx ignores file inputs: a
 * changed fixture must still invalidate cached test results. Runs one project's real test target
 * through Nx with its command replaced by a no-op (same inputs, same hashing), against an Nx cache
 * and a fixture folder of its own.
 */
let dir: string;
let ref: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facemask-ref-input-'));
  ref = join(dir, 'reference');
  await mkdir(ref);
  await writeFile(join(ref, 'manifest.json'), JSON.stringify({ schema_version: 1, cases: [] }));
  await writeFile(join(ref, 'tensors.safetensors'), 'v1');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function testTarget(): Promise<'cached' | 'ran'> {
  const r = await runNx(['run', 'contracts:test', '--command=node -e 0', '--outputStyle=stream'], {
    config: join(WORKSPACE_ROOT, 'tools/pipeline/configs/demo.json'),
    quiet: true,
    env: { FORCE_COLOR: '0', NX_CACHE_DIRECTORY: join(dir, 'nx-cache'), REFERENCE_DIR: ref },
  });
  if (r.code !== 0) throw new Error(`nx failed (${r.code}):\n${r.output.slice(-3000)}`);
  return taskOutcomes(r.output).get('contracts:test')!;
}

describe('the test targets key on the reference fixtures in REFERENCE_DIR', () => {
  it('a changed manifest, or another fixture file, reruns the tests; the same fixtures again are served from the cache', async () => {
    expect(await testTarget()).toBe('ran');
    expect(await testTarget()).toBe('cached');
    await writeFile(join(ref, 'manifest.json'), JSON.stringify({ schema_version: 1, cases: [{ id: 'new' }] }));
    expect(await testTarget()).toBe('ran');
    await writeFile(join(ref, 'tensors.safetensors'), 'v2');
    expect(await testTarget()).toBe('ran');
    await writeFile(join(ref, 'manifest.json'), JSON.stringify({ schema_version: 1, cases: [] }));
    await writeFile(join(ref, 'tensors.safetensors'), 'v1');
    expect(await testTarget()).toBe('cached');
  }, 600_000);
});
