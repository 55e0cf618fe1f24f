import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockWorkspaceNx } from './nx-lock.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nx-lock-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("the workspace's pipeline lock", () => {
  it('makes a second pipeline run wait, saying so once, until the first is done', async () => {
    const first = await lockWorkspaceNx(dir, () => {});
    const said: string[] = [];
    let second: Awaited<ReturnType<typeof lockWorkspaceNx>> | null = null;
    const waiting = lockWorkspaceNx(dir, (l) => said.push(l)).then((l) => (second = l));
    await new Promise((r) => setTimeout(r, 1500));
    expect(second).toBeNull();
    expect(said).toEqual([expect.stringMatching(/^waiting for the pipeline run already going in this workspace to finish \(pid \d+ .*\): Nx builds one project graph per workspace$/)]);
    await first.release();
    await waiting;
    expect(second).not.toBeNull();
    expect(said).toHaveLength(1);
    await second!.release();
  }, 30_000);
});
