import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('@facemask/ship/browser', () => {
  it('bundles for a browser: no node: module, no sharp, nothing from the Node-only entries', async () => {
    const r = await build({
      entryPoints: [fileURLToPath(new URL('./browser.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      conditions: ['source'],
      write: false,
      logLevel: 'silent',
      metafile: true,
    });
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs.filter((f) => f.startsWith('node:') || /sharp|cli-progress|csv-parse|commander/.test(f))).toEqual([]);
    // What the page shares with predict is in the bundle.
    for (const f of ['augment/src/eval.ts', 'ensemble/src/combine.ts', 'train/src/step.ts', 'image-cache/src/transform.ts', 'model-resnet/src/custom-layers.ts']) {
      expect(inputs.some((i) => i.endsWith(f)), f).toBe(true);
    }
  });
});
