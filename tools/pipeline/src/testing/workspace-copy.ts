import { execFileSync } from 'node:child_process';
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_SYNTH_OPTIONS, generateDataset } from '@facemask/synth';
import { WORKSPACE_ROOT } from '../workspace.ts';

/**
 * A copy of this workspace in a temporary folder, for tests that edit its sources and watch what
 * real Nx reruns: the files git knows (committed or not, never ignored ones), each package's
 * node_modules links as they are (pnpm's relative links then resolve inside the copy), and the
 * root node_modules as a link to this one's. Nothing of the copy's .nx is shared with this one.
 */
export async function copyWorkspace(prefix = 'facemask-ws-'): Promise<string> {
  const dest = await mkdtemp(join(tmpdir(), prefix));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    await mkdir(dirname(join(dest, f)), { recursive: true });
    // a file deleted from the work tree but still in the index
    await cp(join(WORKSPACE_ROOT, f), join(dest, f)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
  await symlink(join(WORKSPACE_ROOT, 'node_modules'), join(dest, 'node_modules'));
  for (const group of ['packages', 'tools']) {
    for (const entry of await readdir(join(dest, group), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const pkg = entry.name;
      const from = join(WORKSPACE_ROOT, group, pkg, 'node_modules');
      await cp(from, join(dest, group, pkg, 'node_modules'), {
        recursive: true,
        verbatimSymlinks: true,
        filter: (src) => !/[\\/]\.vite/.test(src.slice(from.length)),
      }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
  }
  return dest;
}

/** Appends a comment line to a source file of the copy: new bytes, same behaviour. */
export async function touchSource(root: string, file: string, note = 'edited by a test'): Promise<void> {
  const comment = file.endsWith('.md') ? `\n<!-- ${note} -->\n` : file.endsWith('.json') ? null : `\n// ${note}\n`;
  if (comment === null) throw new Error(`touchSource: ${file} takes no comment; edit it with editJson`);
  await appendFile(join(root, file), comment);
}

/** Rewrites a JSON file of the copy through `edit`. */
export async function editJson(root: string, file: string, edit: (value: Record<string, unknown>) => void): Promise<void> {
  const value = JSON.parse(await readFile(join(root, file), 'utf8')) as Record<string, unknown>;
  edit(value);
  await writeFile(join(root, file), JSON.stringify(value, null, 2) + '\n');
}

export async function removeWorkspace(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}

/** A copy of the workspace and, beside it, a tiny synthetic set (96x128 photos) at `<dir>/data`. */
export interface WorkspaceWithData {
  ws: string;
  dir: string;
  remove(): Promise<void>;
}

export async function workspaceWithData(name: string, data: { people: number; seed: number }): Promise<WorkspaceWithData> {
  const [ws, dir] = await Promise.all([copyWorkspace(`facemask-${name}-ws-`), mkdtemp(join(tmpdir(), `facemask-${name}-`))]);
  await generateDataset({ ...DEFAULT_SYNTH_OPTIONS, out: join(dir, 'data'), ...data, width: 96, height: 128, quiet: true });
  return { ws, dir, remove: () => Promise.all([removeWorkspace(ws), rm(dir, { recursive: true, force: true })]).then(() => {}) };
}
