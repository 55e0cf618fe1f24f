import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findLibrary } from './library.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'native-lib-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const touch = (...parts: string[]) => {
  mkdirSync(join(dir, ...parts.slice(0, -1)), { recursive: true });
  writeFileSync(join(dir, ...parts), '');
};

describe('findLibrary', () => {
  it('libtensorflow tarball layout: lib/ + include/, version from the file name behind the symlink', () => {
    touch('lib', 'libtensorflow.so.2.9.1');
    symlinkSync('libtensorflow.so.2.9.1', join(dir, 'lib', 'libtensorflow.so.2'));
    touch('lib', 'libtensorflow_framework.so.2.9.1');
    symlinkSync('libtensorflow_framework.so.2.9.1', join(dir, 'lib', 'libtensorflow_framework.so.2'));
    touch('include', 'tensorflow', 'c', 'c_api.h');
    const lib = findLibrary(dir, 'dir', 'x');
    expect(lib.main).toBe(join(dir, 'lib', 'libtensorflow.so.2.9.1'));
    expect(lib.framework).toBe(join(dir, 'lib', 'libtensorflow_framework.so.2.9.1'));
    expect(lib.include).toBe(join(dir, 'include'));
    expect(lib.tensorflowVersion).toBe('2.9.1');
  });

  it('versioned files without their symlinks are found too', () => {
    touch('lib', 'libtensorflow.so.2.9.1');
    touch('lib', 'libtensorflow_framework.so.2.9.1');
    touch('include', 'tensorflow', 'c', 'c_api.h');
    const lib = findLibrary(dir, 'download', 'x');
    expect([lib.main, lib.framework]).toEqual([join(dir, 'lib', 'libtensorflow.so.2.9.1'), join(dir, 'lib', 'libtensorflow_framework.so.2.9.1')]);
  });

  it('an installed tensorflow Python package: the .so files beside include/', () => {
    touch('libtensorflow_cc.so.2');
    touch('libtensorflow_framework.so.2');
    touch('include', 'tensorflow', 'c', 'c_api.h');
    const lib = findLibrary(dir, 'dir', 'x');
    expect(lib.main).toBe(join(dir, 'libtensorflow_cc.so.2'));
    expect(lib.tensorflowVersion).toBeNull();
  });

  it('says what is missing, in one line naming the variable', () => {
    expect(() => findLibrary(dir, 'dir', 'x')).toThrow(new RegExp(`^LIBTENSORFLOW_DIR=${dir} has no libtensorflow_cc.so.2 or libtensorflow.so.2 `));
    touch('lib', 'libtensorflow_cc.so.2');
    expect(() => findLibrary(dir, 'dir', 'x')).toThrow(/but no libtensorflow_framework\.so\.2 beside it/);
    touch('lib', 'libtensorflow_framework.so.2');
    expect(() => findLibrary(dir, 'dir', 'x')).toThrow(/has no include\/tensorflow\/c\/c_api\.h/);
  });
});
