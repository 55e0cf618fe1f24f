import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { buildError, missingBuildTools, missingBuildToolsError } from './errors.ts';
import type { TfjsNodePackage } from './package.ts';

/** Whether `command` is on the PATH of `env` (the one the build will run with). */
export function onPath(command: string, env: Record<string, string | undefined> = process.env): boolean {
  return spawnSync('/bin/sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore', env: { PATH: env.PATH ?? '' } }).status === 0;
}

/**
 * node-gyp compiles against Node's headers; a Node installed from a tarball or a distribution
 * package has them beside its binary, so point node-gyp there instead of letting it download them.
 */
export function localNodeDir(execPath: string = process.execPath): string | undefined {
  const prefix = dirname(dirname(execPath));
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

/** Environment for node-pre-gyp: our pinned node-gyp and, when nothing says otherwise, the local headers. */
export function buildEnv(env: Record<string, string | undefined>, nodeGyp: string, nodeDir: string | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env, npm_config_node_gyp: nodeGyp };
  if (!env.npm_config_nodedir && nodeDir) out.npm_config_nodedir = nodeDir;
  return out;
}

/** node-gyp 12.4 from this package (never whatever npm ships). */
export function nodeGypScript(): string {
  return join(dirname(createRequire(import.meta.url).resolve('node-gyp/package.json')), 'bin', 'node-gyp.js');
}

/** Runs `node <args>` in `cwd` with the build environment, stdout and stderr into `log`; resolves to the exit code. */
export async function runToLog(args: string[], cwd: string, log: string, env: Record<string, string | undefined>): Promise<number | null> {
  await mkdir(dirname(log), { recursive: true });
  const fd = openSync(log, 'w');
  try {
    return await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd, env: buildEnv(env, nodeGypScript(), localNodeDir()), stdio: ['ignore', fd, fd] });
      child.on('error', reject);
      child.on('close', resolve);
    });
  } finally {
    closeSync(fd);
  }
}

/**
 * `node-pre-gyp install --build-from-source` in the package folder, as the package's own
 * `build-addon-from-source` script does, but never its scripts/install.js (that one rewrites the
 * package.json pnpm hard-links from its store). Output goes to `log`.
 */
export async function buildBinding(pkg: TfjsNodePackage, log: string, env: Record<string, string | undefined> = process.env): Promise<void> {
  const missing = missingBuildTools((c) => onPath(c, env), env);
  if (missing.length) throw missingBuildToolsError(missing);
  const code = await runToLog([pkg.nodePreGyp, 'install', '--build-from-source'], pkg.dir, log, env);
  if (code !== 0 || !existsSync(pkg.bindingPath)) throw buildError(readFileSync(log, 'utf8'), log);
}
