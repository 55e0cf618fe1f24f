import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Which engine `auto` will pick, judged from the files alone (no tfjs, no native library
 * loaded): the first native package whose addon is built, else wasm. The Nx plugin puts it in
 * the train stage's cache key, so installing the native engine retrains rather than serving
 * results computed on another engine. This module loads no tfjs.
 */
export const NATIVE_PACKAGES = { 'tensorflow-gpu': '@tensorflow/tfjs-node-gpu', tensorflow: '@tensorflow/tfjs-node' } as const;

const requireHere = createRequire(import.meta.url);

/** The built addon of a native tfjs package (lib/napi-v<N>/tfjs_binding.node), or null. */
export function nativeAddon(pkg: string): string | null {
  let dir: string;
  try {
    dir = dirname(requireHere.resolve(`${pkg}/package.json`));
  } catch {
    return null;
  }
  const lib = join(dir, 'lib');
  if (!existsSync(lib)) return null;
  for (const d of readdirSync(lib).filter((n) => n.startsWith('napi-v')).sort()) {
    const addon = join(lib, d, 'tfjs_binding.node');
    if (existsSync(addon)) return addon;
  }
  return null;
}

export function autoEngine(): 'tensorflow-gpu' | 'tensorflow' | 'wasm' {
  if (nativeAddon(NATIVE_PACKAGES['tensorflow-gpu'])) return 'tensorflow-gpu';
  if (nativeAddon(NATIVE_PACKAGES.tensorflow)) return 'tensorflow';
  return 'wasm';
}
