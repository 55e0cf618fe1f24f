import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NativeInstallError } from './errors.ts';
import type { FileIdentity } from './cache.ts';

/** A TensorFlow C library on disk: the two shared objects the binding links and its C headers. */
export interface Library {
  source: 'dir' | 'download' | 'wheel';
  /** libtensorflow_cc.so.2 (TensorFlow's wheel) or libtensorflow.so.2.x.y (libtensorflow tarball). */
  main: string;
  framework: string;
  /** Folder holding tensorflow/c/c_api.h. */
  include: string;
  /** From the file name or the source; null when only loading it will tell. */
  tensorflowVersion: string | null;
  /** For messages: where it came from. */
  label: string;
  /** The gpu wheel route: the CUDA libraries' folders, which must be on LD_LIBRARY_PATH. */
  cudaLibDirs?: string[];
}

const MAIN_NAMES = ['libtensorflow_cc.so.2', 'libtensorflow.so.2', 'libtensorflow.so'];
const FRAMEWORK_NAMES = ['libtensorflow_framework.so.2', 'libtensorflow_framework.so'];

/**
 * Finds the library in a folder laid out like the libtensorflow tarball (lib/ + include/) or like
 * an installed `tensorflow` Python package (the .so files beside include/).
 */
export function findLibrary(dir: string, source: Library['source'], label: string): Library {
  const where = source === 'dir' ? `LIBTENSORFLOW_DIR=${dir}` : dir;
  // The usual names first, then any versioned one (libtensorflow.so.2.9.1 without its symlinks).
  const pick = (names: string[], versioned: RegExp) => {
    for (const sub of [join(dir, 'lib'), dir]) {
      for (const name of names) if (existsSync(join(sub, name))) return realpathSync(join(sub, name));
      const found = existsSync(sub) ? readdirSync(sub).filter((f) => versioned.test(f)).sort() : [];
      if (found.length) return realpathSync(join(sub, found[0]!));
    }
    return undefined;
  };
  const main = pick(MAIN_NAMES, /^libtensorflow(_cc)?\.so\.\d+(\.\d+)*$/);
  if (!main) {
    throw new NativeInstallError(
      `${where} has no ${MAIN_NAMES.slice(0, 2).join(' or ')} (looked in lib/ and the folder itself): point it at an unpacked libtensorflow or an installed tensorflow package folder`,
    );
  }
  const framework = pick(FRAMEWORK_NAMES, /^libtensorflow_framework\.so\.\d+(\.\d+)*$/);
  if (!framework) throw new NativeInstallError(`${where} has ${main} but no libtensorflow_framework.so.2 beside it: use a complete TensorFlow C library`);
  const include = join(dir, 'include');
  if (!existsSync(join(include, 'tensorflow', 'c', 'c_api.h'))) {
    throw new NativeInstallError(`${where} has no include/tensorflow/c/c_api.h: the binding is compiled against TensorFlow's C headers; use a library folder that ships them`);
  }
  const version = /\.so\.(\d+\.\d+\.\d+)$/.exec(main)?.[1] ?? null;
  return { source, main, framework, include, tensorflowVersion: version, label };
}

export function identify(path: string): FileIdentity {
  const s = statSync(path);
  return { path, size: s.size, mtimeMs: s.mtimeMs };
}
