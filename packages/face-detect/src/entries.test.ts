import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles an entry for a browser page as a kiosk page would: a Node module makes the build fail. */
async function browserBundle(entry: string, external: string[] = [], platform: 'browser' | 'node' = 'browser'): Promise<string[]> {
  const r = await build({
    entryPoints: [entry],
    absWorkingDir: pkg,
    bundle: true,
    platform,
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // workspace packages from their TypeScript, as the pipeline runs them
    conditions: ['source'],
    external,
  });
  return Object.keys(r.metafile.inputs);
}

describe('browser entries', () => {
  it('bundles the main entry for a browser: no Node module, no sharp, no packaged face-api/Human build', async () => {
    // tfjs is a browser library; a page brings its own face-api/Human builds (createDetector's modules).
    const inputs = await browserBundle('src/index.ts', ['@tensorflow/*']);
    expect(inputs.some((i) => i === 'src/detector.ts')).toBe(true);
    expect(inputs.filter((i) => /sharp|@vladmandic|contracts\/src\/(index|atomic|artifact)\.ts/.test(i))).toEqual([]);
  }, 60_000);

  it('bundles the crop entry without tfjs', async () => {
    const inputs = await browserBundle('src/crop.ts');
    expect(inputs.some((i) => i === 'src/warp.ts')).toBe(true);
    expect(inputs.filter((i) => /@tensorflow|sharp/.test(i))).toEqual([]);
  }, 60_000);

  it('keeps tfjs out of the model identities the Nx plugin hashes', async () => {
    const inputs = await browserBundle('src/node/identity.ts', [], 'node');
    expect(inputs).toContain('src/model-files.ts');
    expect(inputs.filter((i) => /@tensorflow|@vladmandic|sharp/.test(i))).toEqual([]);
  }, 60_000);
});
