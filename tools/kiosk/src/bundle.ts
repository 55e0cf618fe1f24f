import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { build, type Plugin } from 'esbuild';

/**
 * The page's script, bundled from TypeScript at server start: tfjs and the browser-safe entries
 * of the workspace packages (their `source` condition), for a browser platform, so any node:
 * module or Node-only library reaching the page fails the build instead of the page.
 */
export const KIOSK_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PAGE_ENTRY = join(KIOSK_DIR, 'src', 'page', 'main.ts');

const require = createRequire(import.meta.url);

/**
 * face-api's and Human's browser builds that bring no tfjs of their own (`esm-nobundle`, which
 * their package exports do not name in a form esbuild takes), and their tfjs imports
 * (`@tensorflow/<pkg>/dist/index.js`) resolved as the page's own, so detectors and models share
 * one tfjs engine.
 */
const detectorBuilds: Plugin = {
  name: 'detector-builds',
  setup(b) {
    const builds: Record<string, string> = { '@vladmandic/human': 'human.esm-nobundle.js', '@vladmandic/face-api': 'face-api.esm-nobundle.js' };
    b.onResolve({ filter: /^@vladmandic\/(human|face-api)$/ }, (a) => ({ path: join(dirname(require.resolve(a.path)), builds[a.path]!) }));
    b.onResolve({ filter: /^@tensorflow\/[\w-]+\/dist\/index\.js$/ }, async (a) => {
      if (!a.importer.includes('@vladmandic')) return undefined;
      const r = await b.resolve(a.path.replace(/\/dist\/index\.js$/, ''), { kind: a.kind, resolveDir: KIOSK_DIR });
      return { path: r.path, errors: r.errors };
    });
  },
};

export async function bundlePage(entry = PAGE_ENTRY): Promise<string> {
  const r = await build({
    plugins: [detectorBuilds],
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
