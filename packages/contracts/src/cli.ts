import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** True when the module at `metaUrl` is the script node was started with (not an import). */
export function isEntryPoint(metaUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(metaUrl));
  } catch {
    return false;
  }
}

/**
 * Runs a stage's CLI when its module is the entry point: the exit code is what `main` returns
 * (or commander's for a usage error it has already printed); any other error prints its message
 * alone, with exit code 1.
 */
export function runIfEntryPoint(metaUrl: string, main: (argv: string[]) => Promise<number | void>): void {
  if (!isEntryPoint(metaUrl)) return;
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (err: unknown) => {
      const e = err as { exitCode?: number; code?: string; message?: string };
      if (typeof e?.exitCode === 'number' && typeof e.code === 'string' && e.code.startsWith('commander.')) process.exitCode = e.exitCode;
      else {
        console.error(err instanceof Error ? err.message : String(err));
        process.exitCode = 1;
      }
    },
  );
}
