import { lstatSync, mkdtempSync, readlinkSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyLinks, linkPlan, staleLinks } from './links.ts';

const rel = (plan: { path: string; target: string }[], pkg: string) => Object.fromEntries(plan.map((l) => [l.path.slice(pkg.length + 1), l.target]));

describe('linkPlan', () => {
  it("TensorFlow's wheel: the names binding.gyp links, the sonames the binding loads, 2.9.1 for the install script, the headers", () => {
    const lib = { main: '/c/lib/libtensorflow_cc.so.2', framework: '/c/lib/libtensorflow_framework.so.2', include: '/c/include' };
    expect(rel(linkPlan('/p', lib), '/p')).toEqual({
      'deps/lib/libtensorflow_cc.so.2': lib.main,
      'deps/lib/libtensorflow_framework.so.2': lib.framework,
      'deps/lib/libtensorflow.so': lib.main,
      'deps/lib/libtensorflow_framework.so': lib.framework,
      'deps/lib/libtensorflow.so.2.9.1': lib.main,
      'deps/lib/libtensorflow_framework.so.2.9.1': lib.framework,
      'deps/include': lib.include,
    });
  });

  it('libtensorflow tarball: each file also under its soname (libtensorflow.so.2)', () => {
    const lib = { main: '/t/lib/libtensorflow.so.2.9.1', framework: '/t/lib/libtensorflow_framework.so.2.9.1', include: '/t/include' };
    expect(rel(linkPlan('/p', lib), '/p')).toEqual({
      'deps/lib/libtensorflow.so.2.9.1': lib.main,
      'deps/lib/libtensorflow.so.2': lib.main,
      'deps/lib/libtensorflow_framework.so.2.9.1': lib.framework,
      'deps/lib/libtensorflow_framework.so.2': lib.framework,
      'deps/lib/libtensorflow.so': lib.main,
      'deps/lib/libtensorflow_framework.so': lib.framework,
      'deps/include': lib.include,
    });
  });
});

describe('applyLinks', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates the links, repoints stale ones, replaces real files, and is a no-op the second time', async () => {
    dir = mkdtempSync(join(tmpdir(), 'native-links-'));
    const pkg = join(dir, 'pkg');
    mkdirSync(join(pkg, 'deps', 'lib'), { recursive: true });
    // What the package's own download would have left: a real file.
    writeFileSync(join(pkg, 'deps', 'lib', 'libtensorflow.so'), 'old');
    const plan = linkPlan(pkg, { main: join(dir, 'a.so.2'), framework: join(dir, 'b.so.2'), include: join(dir, 'inc') });
    expect(staleLinks(plan)).toHaveLength(plan.length);
    expect(await applyLinks(plan)).toBe(plan.length);
    for (const l of plan) {
      expect(lstatSync(l.path).isSymbolicLink()).toBe(true);
      expect(readlinkSync(l.path)).toBe(l.target);
    }
    expect(await applyLinks(plan)).toBe(0);
    const moved = linkPlan(pkg, { main: join(dir, 'c.so.2'), framework: join(dir, 'b.so.2'), include: join(dir, 'inc') });
    expect(staleLinks(moved).map((l) => l.target)).toEqual([join(dir, 'c.so.2'), join(dir, 'c.so.2'), join(dir, 'c.so.2')]);
  });
});
