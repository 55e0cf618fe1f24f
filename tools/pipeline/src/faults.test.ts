import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type ConfigInput, type PipelineGraph } from '@facemask/contracts';
import { DEFAULT_SYNTH_OPTIONS, generateDataset } from '@facemask/synth';
import { compareWork, configWriter, describePoint, faultSchedule, graphOf, killAndRerun, leftovers, tracedRun, type PointOutcome, type SitePass } from './faults.ts';

/**
 * The fault-injection test: a small pipeline (synthetic set, tiny ResNet, cached features,
 * pseudo-labelling in the long schedule) killed with SIGKILL at points a seeded schedule draws
 * from every fault site the uninterrupted run passes: mid-batch, during a checkpoint swap, during
 * an artifact write, during the image cache build, during feature extraction. After each kill the
 * next run must end with the submission and artifacts of the uninterrupted run, and no temporary
 * file or folder may survive.
 *
 * The normal suite runs a short schedule (one point per kind of site); `FAULTS=long` (pnpm
 * faults) runs FAULTS_POINTS points (default 40) over a pipeline with a second round.
 * FAULTS_SEED replays a schedule.
 */
const LONG = process.env.FAULTS === 'long';
const SEED = Number(process.env.FAULTS_SEED ?? 20261129);
const POINTS = LONG ? Number(process.env.FAULTS_POINTS ?? 40) : 7;

let dir: string;
let reference: string;
let graph: PipelineGraph;
let traces: Map<string, SitePass[]>;
let writeConfig: (work: string) => Promise<string>;

function config(): ConfigInput {
  return {
    name: 'faults',
    seed: 7,
    data: { root: join(dir, 'data'), work: join(dir, 'reference'), evalLabels: join(dir, 'data', 'eval_labels.csv') },
    preprocess: { folds: 2, centerCrop: 96, height: 32, width: 32 },
    model: { arch: 'resnet18', widthMultiplier: 0.125 },
    optim: { name: 'adamw', lr: 0.003 },
    scheduler: { name: 'none' },
    ensemble: { method: 'soft' },
    train: { epochs: 3, batchSize: 8, mode: 'features' },
    pseudo: { enabled: LONG, threshold: 0 },
    backend: 'wasm',
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facemask-faults-'));
  await generateDataset({ ...DEFAULT_SYNTH_OPTIONS, out: join(dir, 'data'), people: 8, seed: 11, width: 96, height: 128, quiet: true });
  const cfg = config();
  writeConfig = configWriter(cfg as { data: object });
  reference = join(dir, 'reference');
  await mkdir(reference, { recursive: true });
  graph = graphOf(parseConfig(cfg));
  traces = await tracedRun(graph, await writeConfig(reference), join(dir, 'traces'));
}, 600_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe(`kill -9 at ${POINTS} points of a seeded schedule (seed ${SEED})`, () => {
  it('the uninterrupted run passes every kind of fault site, and a second one ends with the same artifacts', async () => {
    const kinds = new Set([...traces.values()].flat().map((p) => p.site));
    expect([...kinds].sort()).toEqual(['cache-photo', 'dir-build', 'dir-cleanup', 'dir-swap', 'feature-batch', 'file-write', 'train-batch']);
    // what the comparison below ignores (timings) is all that differs between two clean runs
    const again = join(dir, 'again');
    await mkdir(again, { recursive: true });
    await tracedRun(graph, await writeConfig(again), join(dir, 'traces-again'));
    expect(await compareWork(reference, again)).toEqual([]);
    expect(await leftovers(again)).toEqual([]);
    await rm(again, { recursive: true, force: true });
  }, 600_000);

  it('after each kill the next run ends with the submission and artifacts of an uninterrupted run, and no temporary survives', async () => {
    const schedule = faultSchedule(traces, POINTS, SEED);
    const outcomes: PointOutcome[] = [];
    for (const point of schedule) {
      const outcome = await killAndRerun(point, { graph, reference, work: join(dir, 'killed'), writeConfig });
      outcomes.push(outcome);
      console.log(`${describePoint(point)}: ${outcome.problems.length ? outcome.problems.join('; ') : 'ok'}`);
    }
    expect(schedule).toHaveLength(POINTS);
    expect(new Set(schedule.map((p) => p.site)).size).toBe(7);
    expect(outcomes.filter((o) => o.problems.length).map((o) => `${describePoint(o.point)}: ${o.problems.join('; ')}`)).toEqual([]);
  }, POINTS * 240_000);
});
