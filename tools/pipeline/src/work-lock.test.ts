import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimWorkFolder, WORK_FOLDER_FILES, workFolderFiles } from '@facemask/contracts/work-folder';
import { runPipeline } from './run.ts';
import { lockWorkFolder } from './work-lock.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'work-lock-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A process of this host that is alive until killed. */
function sleeper() {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
}
const sleepers: ReturnType<typeof sleeper>[] = [];
afterAll(() => sleepers.forEach((p) => p.kill()));

const holder = (pid: number, host = hostname()) => JSON.stringify({ pid, host, startedAt: '2026-01-01T00:00:00.000Z', command: 'pipeline --config demo.json' });

describe('lockWorkFolder', () => {
  it('lets one run hold a work folder: a second stops at once naming the first; released, it can be taken again', async () => {
    const work = join(dir, 'work');
    const lock = await lockWorkFolder(work);
    expect(JSON.parse(await readFile(lock.file, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    await expect(lockWorkFolder(work)).rejects.toThrow(
      new RegExp(`^work folder ${work} is in use by another pipeline run \\(pid ${process.pid} on ${hostname()}, started .*\\): wait for it to finish, or delete ${workFolderFiles(work).lock} if that run is gone$`),
    );
    await lock.release();
    const again = await lockWorkFolder(work);
    await again.release();
  });

  it("refuses a live process's lock and takes over a dead one's with a warning", async () => {
    const work = join(dir, 'work');
    await mkdir(work);
    const live = sleeper();
    sleepers.push(live);
    await writeFile(workFolderFiles(work).lock, holder(live.pid!));
    await expect(lockWorkFolder(work)).rejects.toThrow(`in use by another pipeline run (pid ${live.pid} on ${hostname()}, started 2026-01-01T00:00:00.000Z: pipeline --config demo.json)`);
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(workFolderFiles(work).lock, holder(dead));
    const warnings: string[] = [];
    const lock = await lockWorkFolder(work, { log: (l) => warnings.push(l) });
    expect(warnings).toEqual([`warning: taking over the lock on ${work} left by a run that is gone (pid ${dead} on ${hostname()}, started 2026-01-01T00:00:00.000Z: pipeline --config demo.json)`]);
    expect(JSON.parse(await readFile(lock.file, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it("refuses another host's lock (its process cannot be checked) and a lock file that names no run", async () => {
    const work = join(dir, 'work');
    await mkdir(work);
    await writeFile(workFolderFiles(work).lock, holder(1, 'elsewhere'));
    await expect(lockWorkFolder(work)).rejects.toThrow(/pid 1 on elsewhere.*\(another host: its process cannot be checked from here\)/);
    await writeFile(workFolderFiles(work).lock, '{');
    await expect(lockWorkFolder(work)).rejects.toThrow(`work folder ${work} is locked by ${workFolderFiles(work).lock}, which names no run: delete it if no pipeline is running on this folder`);
  });

  const holding = (work: string, then: string) =>
    `import { lockWorkFolder } from ${JSON.stringify(join(import.meta.dirname, 'work-lock.ts'))}; await lockWorkFolder(${JSON.stringify(work)}); ${then}`;
  const node = ['--import', 'tsx', '--input-type=module', '-e'];
  const env = { ...process.env, NODE_OPTIONS: '--conditions=source' };

  it('is released when the holding process exits', async () => {
    const work = join(dir, 'work');
    const r = spawnSync(process.execPath, [...node, holding(work, 'process.exit(0);')], { cwd: import.meta.dirname, encoding: 'utf8', env });
    expect(r.stderr).toBe('');
    await expect(readFile(workFolderFiles(work).lock)).rejects.toThrow(/ENOENT/);
  });

  it('is released when the holding process is stopped with SIGTERM, which still ends it', async () => {
    const work = join(dir, 'work');
    const child = spawn(process.execPath, [...node, holding(work, 'console.log("locked"); setTimeout(() => {}, 60000);')], { cwd: import.meta.dirname, env, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((ok) => child.stdout.once('data', () => ok()));
    expect(JSON.parse(await readFile(workFolderFiles(work).lock, 'utf8')).pid).toBe(child.pid);
    const ended = new Promise<NodeJS.Signals | null>((ok) => child.once('exit', (_code, signal) => ok(signal)));
    child.kill('SIGTERM');
    expect(await ended).toBe('SIGTERM');
    await expect(readFile(workFolderFiles(work).lock)).rejects.toThrow(/ENOENT/);
  });
});

describe('runPipeline on a work folder', () => {
  // Inside the workspace: data.work must be (Nx caches only outputs there).
  let work: string;
  beforeEach(() => {
    work = join(WORKSPACE_ROOT, 'data', `.test-lock-${process.pid}-${Math.random().toString(16).slice(2, 8)}`);
  });
  afterEach(() => rm(work, { recursive: true, force: true }));

  const config = async () => {
    const file = join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ data: { root: join(dir, 'data'), work: relative(WORKSPACE_ROOT, work) } }));
    return file;
  };

  it('refuses a folder that is not the pipeline\'s before Nx starts, writing nothing there', async () => {
    await mkdir(work, { recursive: true });
    await writeFile(join(work, 'notes.txt'), 'mine');
    await expect(runPipeline(await config(), { quiet: true })).rejects.toThrow(/holds files no pipeline run wrote \(notes\.txt\)/);
    expect(await readFile(join(work, 'notes.txt'), 'utf8')).toBe('mine');
    await expect(readFile(workFolderFiles(work).marker)).rejects.toThrow(/ENOENT/);
  });

  it('stops at once, naming the run that holds the folder, having written nothing (the lock comes first)', async () => {
    await mkdir(work, { recursive: true });
    const live = sleeper();
    sleepers.push(live);
    await writeFile(workFolderFiles(work).lock, holder(live.pid!));
    const started = Date.now();
    await expect(runPipeline(await config(), { quiet: true })).rejects.toThrow(`is in use by another pipeline run (pid ${live.pid} on ${hostname()}`);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await readdir(work)).toEqual([WORK_FOLDER_FILES.lock]);
    // a marked folder is locked all the same
    await claimWorkFolder(work);
    await expect(runPipeline(await config(), { quiet: true })).rejects.toThrow(`is in use by another pipeline run (pid ${live.pid}`);
  });
});
