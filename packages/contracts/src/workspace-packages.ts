import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The one reading of the workspace's package list: the Nx plugin's task keys, the README's
 * package table and the architecture test each read it here, so they agree on which folders are
 * packages and none of them misses one the others see.
 */

/** The folders pnpm-workspace.yaml takes packages from (`packages/*`, `tools/*`), in that order. */
export const WORKSPACE_FOLDERS = ['packages', 'tools'] as const;

/** What the workspace's readers take from a package's package.json. */
export interface PackageManifest {
  name?: string;
  description?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  /** The package's kind for the README's table (stage, library, app, tool). */
  facemask?: { kind?: string };
  /** Entry points: a path, or conditions (`source` is the TypeScript the workspace runs). */
  exports?: Record<string, string | { source?: string }>;
}

export interface WorkspacePackageFolder {
  /** Relative to the workspace root, with '/': "packages/detect". */
  folder: string;
  /** The same folder, absolute when the root is. */
  dir: string;
  manifest: PackageManifest;
}

/**
 * Every folder directly under WORKSPACE_FOLDERS that holds a package.json, in folder order then
 * name order (code units, the same on every machine). A folder without one is no package (git
 * leaves a removed package's folder behind while ignored files are in it); a package.json that is
 * not JSON is an error, since pnpm and Nx cannot read it either.
 */
export function listWorkspacePackages(root: string): WorkspacePackageFolder[] {
  const out: WorkspacePackageFolder[] = [];
  for (const group of WORKSPACE_FOLDERS) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const dir = join(root, group, name);
      const file = join(dir, 'package.json');
      if (!existsSync(file)) continue;
      let manifest: PackageManifest;
      try {
        manifest = JSON.parse(readFileSync(file, 'utf8')) as PackageManifest;
      } catch (err) {
        throw new Error(`${file} is not valid JSON (${(err as Error).message}): fix it, then run pnpm install`);
      }
      out.push({ folder: `${group}/${name}`, dir, manifest });
    }
  }
  return out;
}
