import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAULT_AT_ENV, FAULT_TRACE_ENV, faultPoint, faultTask, traceFile } from './fault.ts';

afterEach(() => {
  delete process.env[FAULT_AT_ENV];
  delete process.env[FAULT_TRACE_ENV];
});

describe('fault sites', () => {
  it('do nothing when neither variable is set', () => {
    expect(() => faultPoint('train-batch')).not.toThrow();
  });

  it('append every pass to the trace file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fault-'));
    try {
      process.env[FAULT_TRACE_ENV] = join(dir, 'trace');
      faultPoint('cache-photo');
      faultPoint('dir-swap', 'last');
      faultPoint('cache-photo');
      expect(await readFile(join(dir, 'trace'), 'utf8')).toBe('cache-photo\ndir-swap\tlast\ncache-photo\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuse a malformed FACEMASK_FAULT_AT with the expected form', () => {
    for (const bad of ['dir-swap', 'dir-swap:0', 'nowhere:2', 'dir-swap:x', 'train@dir-swap:1', 'train:fold 1@dir-swap:1']) {
      process.env[FAULT_AT_ENV] = bad;
      expect(() => faultPoint('dir-swap')).toThrow(/FACEMASK_FAULT_AT=".*" must be \[<project>:<target>@\]<site>:<n> with n >= 1 and site one of file-write, dir-build/);
    }
  });

  it("name the Nx task from Nx's own variables, and trace each process to its file in a folder", () => {
    expect(faultTask({ NX_TASK_TARGET_PROJECT: 'train', NX_TASK_TARGET_TARGET: 'round1-fold-0' })).toBe('train:round1-fold-0');
    expect(faultTask({ NX_TASK_TARGET_PROJECT: 'train' })).toBe('');
    expect(traceFile('/t/trace.txt', { NX_TASK_TARGET_PROJECT: 'detect', NX_TASK_TARGET_TARGET: 'run' }, 42)).toBe('/t/trace.txt');
    expect(traceFile('/t/', { NX_TASK_TARGET_PROJECT: 'detect', NX_TASK_TARGET_TARGET: 'run' }, 42)).toBe('/t/detect:run@42.txt');
    expect(traceFile('/t/', {}, 7)).toBe('/t/@7.txt');
  });

  it("kill only the named task's processes: another task passes the point unharmed", async () => {
    // A child process, so that the kill is observed from outside.
    const { spawnSync } = await import('node:child_process');
    const script = `import { faultPoint } from ${JSON.stringify(new URL('./fault.ts', import.meta.url).pathname)}; faultPoint('train-batch'); faultPoint('train-batch'); console.log('passed');`;
    const run = (task: Record<string, string>) =>
      spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        env: { ...process.env, [FAULT_AT_ENV]: 'train:round1-fold-0@train-batch:2', ...task },
        encoding: 'utf8',
      });
    const other = run({ NX_TASK_TARGET_PROJECT: 'train', NX_TASK_TARGET_TARGET: 'round1-fold-1' });
    expect([other.signal, other.stdout.trim()]).toEqual([null, 'passed']);
    const named = run({ NX_TASK_TARGET_PROJECT: 'train', NX_TASK_TARGET_TARGET: 'round1-fold-0' });
    expect([named.signal, named.stdout.trim()]).toEqual(['SIGKILL', '']);
  });
});
