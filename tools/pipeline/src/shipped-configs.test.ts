import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataLayout, pipelineGraph, readCsv, targets, tasksRunBy } from '@facemask/contracts';
import { predictedVsSubmitted } from '@facemask/ship/testing/predict-check';
import { DEFAULT_SYNTH_OPTIONS, generateDataset } from '@facemask/synth';
import { taskOutcomes } from './nx.ts';
import { runPipeline } from './run.ts';
import { runScript } from './testing/run-script.ts';
import { readShipped, shippedConfigNames, tinyVariant } from './testing/shipped.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

/**
 * Every shipped config, shrunk to seconds (testing/shipped.ts) but with the same stages, runs end
 * to end through real Nx on the engine under test (TFJS_BACKEND, wasm when unset; CI runs it on
 * webgpu over lavapipe too), and the model `pnpm export` packs from the run answers the eval
 * photos as the submission does.
 */
const engine = process.env.TFJS_BACKEND?.trim() || 'wasm';
let dir: string;
let root: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facemask-shipped-'));
  root = join(dir, 'data');
  // Entrance-sized, so the shipped 384 px centre crop and the face crop both fit.
  await generateDataset({ ...DEFAULT_SYNTH_OPTIONS, out: root, people: 6, seed: 20261205, width: 384, height: 512, cues: 'clear', quiet: true });
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe(`the shipped configs, tiny, end to end on ${engine}`, () => {
  it.each(shippedConfigNames())('%s', async (name) => {
    const work = join(WORKSPACE_ROOT, 'data', `.test-shipped-${basename(name, '.json')}-${process.pid}`);
    const file = join(dir, name);
    try {
      await writeFile(file, JSON.stringify(tinyVariant(await readShipped(name), root, work)));
      const r = await runPipeline(file, { quiet: true, backend: engine, env: { NX_CACHE_DIRECTORY: join(dir, `nx-cache-${name}`) } });

      // every task of the config's graph ran, on the engine asked for
      const outcomes = taskOutcomes(r.nx.output);
      const tasks = tasksRunBy(pipelineGraph(r.config, WORKSPACE_ROOT), targets.report).map((t) => t.id);
      expect([...outcomes.entries()].sort()).toEqual(tasks.map((t) => [t, 'ran']).sort());
      expect(r.nx.output).toMatch(new RegExp(`backend: ${engine}\\b`));

      const info = await readCsv(dataLayout.infoCsv(root), ['ImageID', 'ans']);
      const submitted = await readCsv(r.submission, ['ImageID', 'ans']);
      expect(submitted.map((s) => s.ImageID)).toEqual(info.map((s) => s.ImageID));
      expect(r.evalMacroF1).not.toBeNull();

      const model = join(dir, `model-${name}`);
      const exported = await runScript(WORKSPACE_ROOT, 'packages/ship/src/export-main.ts', ['--config', file, '--out', model]);
      expect(exported.code, exported.output).toBe(0);
      const predicted = await runScript(WORKSPACE_ROOT, 'packages/ship/src/predict-main.ts', ['--model', model, '--backend', engine, '--format', 'csv', '--quiet', dataLayout.evalImages(root)]);
      expect(predicted.code, predicted.output).toBe(0);
      const check = await predictedVsSubmitted(predicted.stdout, r.submission);
      expect(check.answered).toBe(check.submitted.length);
      expect(check.predicted).toEqual(check.submitted);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 1_800_000);
});
