/**
 * `node --import tsx --conditions=source packages/engine/src/check-main.ts <backend>`: loads the
 * named engine and prints its backend line, or the one-line error naming the fix and exits 1.
 * CI runs it before the webgpu suite so a missing Vulkan device fails there, in one line, rather
 * than as a failure in every test file.
 */
import { runIfEntryPoint } from '@facemask/contracts';
import { selectBackend } from './backend.ts';

export async function main(argv: string[], log: (line: string) => void = console.log, error: (line: string) => void = console.error): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || rest.length > 0) {
    error('usage: check-main.ts <backend>   (tensorflow-gpu, webgpu, tensorflow, wasm or cpu)');
    return 2;
  }
  try {
    // force: one call per process from the command line; the tests call it for several engines.
    await selectBackend({ prefer: name, log, force: true });
    return 0;
  } catch (err) {
    error((err as Error).message);
    return 1;
  }
}

runIfEntryPoint(import.meta.url, main);
