import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from './config/load.ts';
import { listWorkspacePackages, WORKSPACE_FOLDERS } from './workspace-packages.ts';

let root: string;
const pkg = async (folder: string, manifest: string) => {
  await mkdir(join(root, folder), { recursive: true });
  await writeFile(join(root, folder, 'package.json'), manifest);
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'workspace-packages-'));
  await pkg('tools/t', JSON.stringify({ name: '@x/t', facemask: { kind: 'tool' } }));
  await pkg('packages/b', JSON.stringify({ name: '@x/b', dependencies: { '@x/a': 'workspace:*' } }));
  await pkg('packages/a', JSON.stringify({ name: '@x/a', description: 'the a' }));
  // a removed package's folder git left behind, and a file beside the packages
  await mkdir(join(root, 'packages', 'gone', 'node_modules'), { recursive: true });
  await writeFile(join(root, 'tools', 'script.mjs'), '');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('listWorkspacePackages', () => {
  it('gives every folder with a package.json, packages then tools, each in name order', () => {
    expect(listWorkspacePackages(root)).toEqual([
      { folder: 'packages/a', dir: join(root, 'packages', 'a'), manifest: { name: '@x/a', description: 'the a' } },
      { folder: 'packages/b', dir: join(root, 'packages', 'b'), manifest: { name: '@x/b', dependencies: { '@x/a': 'workspace:*' } } },
      { folder: 'tools/t', dir: join(root, 'tools', 't'), manifest: { name: '@x/t', facemask: { kind: 'tool' } } },
    ]);
  });

  it('names a package.json that is not JSON and the fix', async () => {
    await pkg('tools/broken', '{"name": ');
    expect(() => listWorkspacePackages(root)).toThrow(new RegExp(`^${join(root, 'tools', 'broken', 'package.json')} is not valid JSON \\(.+\\): fix it, then run pnpm install$`));
    await rm(join(root, 'tools', 'broken'), { recursive: true });
  });

  it("reads this workspace's folders as pnpm-workspace.yaml lists them", () => {
    const yaml = readFileSync(join(WORKSPACE_ROOT, 'pnpm-workspace.yaml'), 'utf8');
    const list = /^packages:\n((?:[ \t]+-.*\n)+)/m.exec(yaml)?.[1] ?? '';
    const globs = list.split('\n').filter(Boolean).map((l) => l.replace(/^\s*-\s*/, '').replace(/^['"]|['"]$/g, ''));
    expect(globs).toEqual(WORKSPACE_FOLDERS.map((f) => `${f}/*`));
    const found = listWorkspacePackages(WORKSPACE_ROOT);
    expect(found.find((p) => p.manifest.name === '@facemask/contracts')?.folder).toBe('packages/contracts');
    expect(found.find((p) => p.manifest.name === '@facemask/nx-plugin')?.folder).toBe('tools/nx-plugin');
  });
});
