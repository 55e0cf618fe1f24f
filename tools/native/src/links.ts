import { lstatSync, readlinkSync } from 'node:fs';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Library } from './library.ts';
import { PACKAGE_LIBTENSORFLOW_VERSION } from './variant.ts';

export interface Link {
  /** Absolute path of the symlink, inside the package's deps/. */
  path: string;
  /** Absolute path it points at. */
  target: string;
}

/** `libfoo.so.2.9.1` -> `libfoo.so.2`: the name the dynamic loader looks for (the soname). */
function sonameOf(file: string): string | undefined {
  const m = /^(lib[\w+-]+\.so\.\d+)\.\d/.exec(file);
  return m?.[1];
}

/**
 * The symlinks that make a TensorFlow library look like the one tfjs-node's binding.gyp expects
 * in `<package>/deps`: `-ltensorflow` and `-ltensorflow_framework` at link time, each library's
 * own name and soname at load time (the binding's rpath is deps/lib), `libtensorflow.so.2.9.1`
 * so the package's install script, if anything runs it, finds its library and skips its
 * download, and the headers under deps/include. Only new files: nothing from the package
 * tarball is touched.
 */
export function linkPlan(packageDir: string, lib: Pick<Library, 'main' | 'framework' | 'include'>): Link[] {
  const libDir = join(packageDir, 'deps', 'lib');
  const byName = new Map<string, string>();
  const add = (name: string, target: string) => {
    if (!byName.has(name)) byName.set(name, target);
  };
  for (const file of [lib.main, lib.framework]) {
    add(basename(file), file);
    const soname = sonameOf(basename(file));
    if (soname) add(soname, file);
  }
  add('libtensorflow.so', lib.main);
  add('libtensorflow_framework.so', lib.framework);
  add(`libtensorflow.so.${PACKAGE_LIBTENSORFLOW_VERSION}`, lib.main);
  add(`libtensorflow_framework.so.${PACKAGE_LIBTENSORFLOW_VERSION}`, lib.framework);
  const links = [...byName].map(([name, target]) => ({ path: join(libDir, name), target }));
  links.push({ path: join(packageDir, 'deps', 'include'), target: lib.include });
  return links;
}

function currentTarget(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : '';
  } catch {
    return undefined;
  }
}

/** Links of the plan that are missing or point elsewhere. */
export function staleLinks(plan: Link[]): Link[] {
  return plan.filter((l) => currentTarget(l.path) !== l.target);
}

/** Creates or repoints every stale link; returns how many changed. */
export async function applyLinks(plan: Link[]): Promise<number> {
  const stale = staleLinks(plan);
  for (const l of stale) {
    await mkdir(dirname(l.path), { recursive: true });
    await rm(l.path, { recursive: true, force: true });
    await symlink(l.target, l.path);
  }
  return stale.length;
}
