import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAULT_AT_ENV, FAULT_TRACE_ENV, faultPoint } from './fault.ts';

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
    for (const bad of ['dir-swap', 'dir-swap:0', 'nowhere:2', 'dir-swap:x']) {
      process.env[FAULT_AT_ENV] = bad;
      expect(() => faultPoint('dir-swap')).toThrow(/FACEMASK_FAULT_AT=".*" must be <site>:<n> with n >= 1 and site one of file-write, dir-build/);
    }
  });
});
