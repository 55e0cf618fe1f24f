import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The page's script, bundled from TypeScript at server start: tfjs and the browser-safe entries
 * of the workspace packages (their `source` condition), for a browser platform, so any node:
 * module or Node-only library reaching the page fails the build instead of the page.
 */
export const KIOSK_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PAGE_ENTRY = join(KIOSK_DIR, 'src', 'page', 'main.ts');

export async function bundlePage(entry = PAGE_ENTRY): Promise<string> {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    conditions: ['source'],
    minify: true,
    write: false,
    logLevel: 'silent',
    metafile: true,
  });
  const node = Object.keys(r.metafile.inputs).filter((f) => f.startsWith('node:') || /(^|\/)sharp\//.test(f));
  if (node.length) throw new Error(`the kiosk page would load Node-only code: ${node.join(', ')}`);
  const out = r.outputFiles[0];
  if (!out) throw new Error('esbuild produced no bundle for the kiosk page');
  return out.text;
}
