import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { buildError, missingBuildTools, missingBuildToolsError } from './errors.ts';
import { nodeGypScript, onPath, runToLog } from './build.ts';
import { buildDirAtomic, readJson, sha256 } from './cache-files.ts';

/**
 * The engine's stderr-mute addon (../stderr-mute/stderr_mute.c): a few lines of C that point file
 * descriptor 2 at a file while TensorFlow loads, so the engine can drop the start-up lines the
 * library prints there. Built with node-gyp like the binding, cached like it, and copied beside
 * the binding, where packages/engine/src/native-probe.ts (STDERR_MUTE_FILE) looks for it.
 */
export const STDERR_MUTE_FILE = 'facemask_stderr_mute.node';
export const STDERR_MUTE_MANIFEST = 'stderr-mute.json';
const SOURCES = ['binding.gyp', 'stderr_mute.c'];

export function stderrMuteSourceDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'stderr-mute');
}

export interface StderrMuteKeyInput {
  /** sha256 of binding.gyp and stderr_mute.c: an edit rebuilds. */
  source: string;
  nodeAbi: string;
  platform: string;
  arch: string;
}

export function stderrMuteKeyInput(sourceDir: string = stderrMuteSourceDir()): StderrMuteKeyInput {
  const h = createHash('sha256');
  for (const f of SOURCES) h.update(f).update('\0').update(readFileSync(join(sourceDir, f))).update('\0');
  return { source: h.digest('hex'), nodeAbi: process.versions.modules, platform: process.platform, arch: process.arch };
}

export function stderrMuteKey(input: StderrMuteKeyInput): string {
  return createHash('sha256').update(JSON.stringify([input.source, input.nodeAbi, input.platform, input.arch])).digest('hex').slice(0, 16);
}

export const stderrMuteManifest = z
  .object({
    key: z.string(),
    input: z.object({ source: z.string(), nodeAbi: z.string(), platform: z.string(), arch: z.string() }).strict(),
    sha256: z.string(),
    createdAt: z.string(),
  })
  .strict();

/** Compiles the addon from a copy of its sources (node-gyp writes build/ beside them) into `out`. */
export async function buildStderrMute(out: string, log: string, env: Record<string, string | undefined> = process.env, sourceDir: string = stderrMuteSourceDir()): Promise<void> {
  const missing = missingBuildTools((c) => onPath(c, env), env);
  if (missing.length) throw missingBuildToolsError(missing);
  const work = await mkdtemp(join(tmpdir(), 'facemask-stderr-mute-'));
  try {
    for (const f of SOURCES) await cp(join(sourceDir, f), join(work, f));
    const code = await runToLog([nodeGypScript(), 'rebuild'], work, log, env);
    const built = join(work, 'build', 'Release', STDERR_MUTE_FILE);
    if (code !== 0 || !existsSync(built)) throw buildError(readFileSync(log, 'utf8'), log);
    await mkdir(dirname(out), { recursive: true });
    await copyFile(built, out);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export interface StderrMuteResult {
  /** The copy beside the binding. */
  path: string;
  cached: string;
  state: 'built' | 'cached' | 'in place';
}

/** Where the addon stands: cached under `root` for this Node and source, and in place beside the binding. */
export function stderrMuteStatus(root: string, bindingDir: string, refresh: boolean, sourceDir: string = stderrMuteSourceDir()) {
  const input = stderrMuteKeyInput(sourceDir);
  const key = stderrMuteKey(input);
  const cacheDir = join(root, 'stderr-mute', key);
  const cached = join(cacheDir, STDERR_MUTE_FILE);
  const manifest = refresh ? undefined : stderrMuteManifest.safeParse(readJson(join(cacheDir, STDERR_MUTE_MANIFEST))).data;
  const cacheOk = manifest !== undefined && manifest.key === key && existsSync(cached) && sha256(cached) === manifest.sha256;
  const path = join(bindingDir, STDERR_MUTE_FILE);
  const inPlace = cacheOk && existsSync(path) && sha256(path) === manifest.sha256;
  return { input, key, cacheDir, cached, path, cacheOk, inPlace };
}

/** Puts the addon beside the binding: already there, copied from the cache, or built (a few seconds) and cached. */
export async function installStderrMute(opts: {
  root: string;
  bindingDir: string;
  refresh: boolean;
  env: Record<string, string | undefined>;
  log: (line: string) => void;
  sourceDir?: string;
}): Promise<StderrMuteResult> {
  const s = stderrMuteStatus(opts.root, opts.bindingDir, opts.refresh, opts.sourceDir);
  if (s.inPlace) return { path: s.path, cached: s.cached, state: 'in place' };
  let state: StderrMuteResult['state'] = 'cached';
  if (!s.cacheOk) {
    const buildLog = join(opts.root, 'logs', 'stderr-mute-build.log');
    await buildDirAtomic(s.cacheDir, async (tmp) => {
      await buildStderrMute(join(tmp, STDERR_MUTE_FILE), buildLog, opts.env, opts.sourceDir);
      const m = stderrMuteManifest.parse({ key: s.key, input: s.input, sha256: sha256(join(tmp, STDERR_MUTE_FILE)), createdAt: new Date().toISOString() });
      await writeFile(join(tmp, STDERR_MUTE_MANIFEST), `${JSON.stringify(m, null, 2)}\n`);
    });
    state = 'built';
    opts.log(`stderr mute: built the engine's stderr-mute addon, cached in ${s.cacheDir}`);
  }
  // Beside the binding under a temporary name, then renamed: a half-copied addon never loads.
  const tmp = `${s.path}.${process.pid}.tmp`;
  await mkdir(opts.bindingDir, { recursive: true });
  await copyFile(s.cached, tmp);
  await rename(tmp, s.path);
  return { path: s.path, cached: s.cached, state };
}
