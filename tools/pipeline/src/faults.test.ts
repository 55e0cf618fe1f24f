import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_SITES, type ConfigInput } from '@facemask/contracts';
import { DEFAULT_SYNTH_OPTIONS, generateDataset } from '@facemask/synth';
import { compareWork, configWriter, describePoint, faultSchedule, killAndRerun, leftovers, tracedRun, type PointOutcome, type SitePass } from './faults.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

/**
 * The fault-injection test, through real Nx: a small pipeline (synthetic set, face detection,
 * tiny ResNet, pseudo-labelling in the long schedule) killed with SIGKILL at points a seeded
 * schedule draws from every fault site the uninterrupted run passes: mid-batch, during a
 * checkpoint swap, during an artifact write, during the image cache build, during feature
 * extraction, in a face-detect worker. After each kill `nx run report:run` runs again and must
 * end with the submission and artifacts of the uninterrupted run, and no temporary file or folder
 * may survive. Both training modes: `features` (cached backbone features) and `finetune`.
 *
 * The normal suite runs a short schedule (one point per kind of site) on the engine under test
 * (TFJS_BACKEND, else wasm); `FAULTS=long` (pnpm faults) runs FAULTS_POINTS points (default 40)
 * per mode over a pipeline with a second round. FAULTS_SEED replays a schedule; FAULTS_MODES
 * (e.g. "finetune") runs one mode.
 */
const LONG = process.env.FAULTS === 'long';
const SEED = Number(process.env.FAULTS_SEED ?? 20261129);
const BACKEND = (process.env.TFJS_BACKEND ?? 'wasm') as NonNullable<ConfigInput['backend']>;
const MODES = (process.env.FAULTS_MODES ?? 'features,finetune').split(',') as ('features' | 'finetune')[];

let data: string;
let works: string;

function config(mode: 'features' | 'finetune', work: string): ConfigInput {
  return {
    name: `faults-${mode}`,
    seed: 7,
    data: { root: data, work, evalLabels: join(data, 'eval_labels.csv') },
    preprocess: { folds: 2, centerCrop: 96, height: 32, width: 32, faceCrop: { margin: 0.1 } },
    model: { arch: 'resnet18', widthMultiplier: 0.125 },
    optim: { name: 'adamw', lr: 0.003 },
    scheduler: { name: 'none' },
    ensemble: { method: 'soft' },
    train: { epochs: 3, batchSize: 8, mode },
    pseudo: { enabled: LONG, threshold: 0 },
    backend: BACKEND,
  };
}

beforeAll(async () => {
  data = await mkdtemp(join(tmpdir(), 'facemask-faults-'));
  // Nx caches only outputs inside the workspace: the work folders live under its data/.
  works = join(WORKSPACE_ROOT, 'data', `.test-faults-${process.pid}`);
  await generateDataset({ ...DEFAULT_SYNTH_OPTIONS, out: data, people: 8, seed: 11, width: 96, height: 128, quiet: true });
}, 300_000);

afterAll(async () => {
  // FAULTS_KEEP=1 keeps every work folder for a look at what differed
  if (process.env.FAULTS_KEEP) console.log(`kept ${data} and ${works}`);
  else await Promise.all([rm(data, { recursive: true, force: true }), rm(works, { recursive: true, force: true })]);
});

describe.each(MODES)(`kill -9 through Nx on ${BACKEND}, %s mode`, (mode) => {
  const sites = FAULT_SITES.filter((s) => mode === 'features' || s !== 'feature-batch');
  const points = LONG ? Number(process.env.FAULTS_POINTS ?? 40) : sites.length;
  const at = (name: string) => join(works, `${mode}-${name}`);
  const nxCache = () => join(works, `${mode}-nx-cache`);
  const writeConfig = (work: string) => configWriter(config(mode, work) as { data: object })(work);
  let traces: Map<string, SitePass[][]>;

  beforeAll(async () => {
    await mkdir(works, { recursive: true });
    traces = await tracedRun(await writeConfig(at('reference')), at('traces'), nxCache());
  }, 900_000);

  it('the uninterrupted run passes every kind of fault site, and a second one ends with the same artifacts', async () => {
    const kinds = new Set([...traces.values()].flat(2).map((p) => p.site));
    expect([...kinds].sort()).toEqual([...sites].sort());
    // what the comparison ignores (timings, the work folder's name) is all that differs between two clean runs
    await tracedRun(await writeConfig(at('again')), at('traces-again'), nxCache());
    expect(await compareWork(at('reference'), at('again'))).toEqual([]);
    expect(await leftovers(at('again'))).toEqual([]);
    await rm(at('again'), { recursive: true, force: true });
  }, 900_000);

  it(`after each kill at ${points} points (seed ${SEED}) the next run ends with the artifacts of an uninterrupted run, and no temporary survives`, async () => {
    const schedule = faultSchedule(traces, points, SEED);
    const outcomes: PointOutcome[] = [];
    for (const [i, point] of schedule.entries()) {
      // a work folder of its own: Nx has cached nothing of it yet, as on a first run
      const work = at(`killed-${i}`);
      const outcome = await killAndRerun(point, { reference: at('reference'), work, writeConfig, nxCache: nxCache() });
      if (!process.env.FAULTS_KEEP) await rm(work, { recursive: true, force: true });
      outcomes.push(outcome);
      console.log(`${mode}: ${describePoint(point)}: ${outcome.problems.length ? outcome.problems.join('; ') : outcome.resumed ? 'ok, resumed' : 'ok'}`);
    }
    expect(schedule).toHaveLength(points);
    expect(new Set(schedule.map((p) => p.site)).size).toBe(sites.length);
    // the short schedule's train-batch and checkpoint-swap kills fall after a fold's first epoch
    if (!LONG) expect(outcomes.some((o) => o.resumed)).toBe(true);
    expect(outcomes.filter((o) => o.problems.length).map((o) => `${describePoint(o.point)}: ${o.problems.join('; ')}`)).toEqual([]);
  }, points * 300_000);
});
