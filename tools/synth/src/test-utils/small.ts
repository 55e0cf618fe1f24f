import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DEFAULT_SYNTH_OPTIONS, type SynthOptions } from '../generate.ts';

/** Small, quiet options for tests: a few people at 96x128. */
export function smallOptions(out: string, over: Partial<SynthOptions> = {}): SynthOptions {
  return { ...DEFAULT_SYNTH_OPTIONS, people: 5, seed: 7, width: 96, height: 128, quiet: true, out, ...over };
}

export async function tempDir(tag: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `synth-${tag}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Every file under dir, relative, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}
