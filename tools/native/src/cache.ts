import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Variant } from './variant.ts';

/**
 * Everything native:install extracts or builds lives here, outside node_modules, so that
 * `rm -rf node_modules && pnpm install` loses only links and a copied binding, never the
 * 850 MB library or the 35 s build.
 */
export function cacheRoot(env: Record<string, string | undefined> = process.env, home: string = homedir()): string {
  if (env.FACEMASK_NATIVE_CACHE?.trim()) return env.FACEMASK_NATIVE_CACHE.trim();
  const xdg = env.XDG_CACHE_HOME?.trim();
  return join(xdg ? xdg : join(home, '.cache'), 'facemask', 'native');
}

export type CachedSource = 'download' | 'wheel';

/** One folder per variant, source and TensorFlow version: a new version never overwrites an old one. */
export function libraryDir(root: string, variant: Variant, source: CachedSource, version: string): string {
  return join(root, 'lib', `${variant}-${source}-${version}`);
}

export interface FileIdentity {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface BindingKeyInput {
  /** e.g. "@tensorflow/tfjs-node@4.22.0". */
  package: string;
  napiBuildVersion: number;
  /** process.versions.modules: N-API needs no rebuild across Node releases, but a rebuild is cheap insurance. */
  nodeAbi: string;
  platform: string;
  arch: string;
  library: { main: FileIdentity; framework: FileIdentity };
}

/** A built binding is reused only for the same package, Node ABI and the very same library files. */
export function bindingKey(input: BindingKeyInput): string {
  const canonical = JSON.stringify([
    input.package,
    input.napiBuildVersion,
    input.nodeAbi,
    input.platform,
    input.arch,
    [input.library.main.path, input.library.main.size, Math.round(input.library.main.mtimeMs)],
    [input.library.framework.path, input.library.framework.size, Math.round(input.library.framework.mtimeMs)],
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

export function bindingDir(root: string, key: string): string {
  return join(root, 'bindings', key);
}

/** Written last into a library folder: its presence means the extraction finished. */
export const libraryManifest = z
  .object({
    source: z.enum(['download', 'wheel']),
    variant: z.enum(['cpu', 'gpu']),
    tensorflowVersion: z.string(),
    /** The wheel file or URL it came from. */
    origin: z.string(),
    main: z.string(),
    framework: z.string(),
    /** The gpu wheel route's CUDA wheels (cuda-wheels.ts): what pip fetched and where its libraries are. */
    cuda: z.array(z.object({ requirement: z.string(), wheel: z.string(), libDirs: z.array(z.string()) }).strict()).optional(),
    createdAt: z.string(),
  })
  .strict();
export type LibraryManifest = z.infer<typeof libraryManifest>;
export const LIBRARY_MANIFEST = 'library.json';

export const bindingManifest = z
  .object({
    key: z.string(),
    input: z.object({
      package: z.string(),
      napiBuildVersion: z.number().int(),
      nodeAbi: z.string(),
      platform: z.string(),
      arch: z.string(),
      library: z.object({
        main: z.object({ path: z.string(), size: z.number(), mtimeMs: z.number() }),
        framework: z.object({ path: z.string(), size: z.number(), mtimeMs: z.number() }),
      }),
    }),
    sha256: z.string(),
    buildSeconds: z.number(),
    createdAt: z.string(),
  })
  .strict();
export type BindingManifest = z.infer<typeof bindingManifest>;
export const BINDING_MANIFEST = 'binding.json';
export const BINDING_FILE = 'tfjs_binding.node';
