import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropLoadNoise } from './load-noise.ts';

/** Set to 1 to see everything TensorFlow prints while it loads, noise included. */
export const ENGINE_LOG_VAR = 'FACEMASK_ENGINE_LOG';

/** tools/native's stderr-mute addon: points file descriptor 2 at a file and back. */
interface StderrMute {
  begin(path: string): void;
  end(): void;
}

export interface QuietLoadOptions {
  /** The stderr-mute addon native:install put beside the binding, or null when there is none. */
  addon: string | null;
  env?: Record<string, string | undefined>;
  /** Where the captured lines that are not noise go (default: process.stderr, once fd 2 is back). */
  write?: (text: string) => void;
}

const requireHere = createRequire(import.meta.url);

/**
 * Runs `load` (the native package's import) with fd 2 captured, then writes back every captured
 * line but TensorFlow's known start-up noise (dropLoadNoise), so a load error or a CUDA warning
 * still shows. Native code writes those lines to the descriptor directly: nothing in JS can catch
 * them. Without the addon (an install older than it) or with FACEMASK_ENGINE_LOG=1 the load runs
 * as it is. A load that kills the process gets its lines back from the addon's signal handler.
 */
export async function loadQuietly<T>(load: () => Promise<T>, opts: QuietLoadOptions): Promise<T> {
  const env = opts.env ?? process.env;
  const write = opts.write ?? ((text: string) => process.stderr.write(text));
  if (!opts.addon || env[ENGINE_LOG_VAR] === '1') return load();
  let mute: StderrMute;
  try {
    mute = requireHere(opts.addon) as StderrMute;
  } catch (err) {
    write(`engine: ${opts.addon} does not load (${(err as Error).message.split('\n')[0]}), so TensorFlow's start-up lines are not filtered: rerun \`pnpm native:install\`\n`);
    return load();
  }
  const dir = mkdtempSync(join(tmpdir(), 'facemask-engine-load-'));
  const file = join(dir, 'stderr.log');
  try {
    mute.begin(file);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    write(`engine: cannot capture stderr (${(err as Error).message}), so TensorFlow's start-up lines are not filtered\n`);
    return load();
  }
  try {
    return await load();
  } finally {
    mute.end();
    try {
      const kept = dropLoadNoise(readFileSync(file, 'utf8'));
      if (kept) write(kept);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
