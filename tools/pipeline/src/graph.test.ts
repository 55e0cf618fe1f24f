import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, pipelineGraph } from '@facemask/contracts';
import { runNx } from './nx.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facemask-graph-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Target {
  dependsOn?: (string | { projects?: string[]; target: string })[];
  outputs?: string[];
}

async function targets(project: string, cfg: object): Promise<Record<string, Target>> {
  const file = join(dir, `${project}-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(cfg));
  const r = await runNx(['show', 'project', project, '--json'], { config: file, quiet: true, env: { FORCE_COLOR: '0' } });
  if (r.code !== 0) throw new Error(r.output);
  return (JSON.parse(r.output.slice(r.output.indexOf('{'))) as { targets: Record<string, Target> }).targets;
}

const deps = (t: Target | undefined) => (t?.dependsOn ?? []).map((d) => (typeof d === 'string' ? d : `${d.projects?.[0] ?? ''}:${d.target}`));

describe('the pipeline task graph', () => {
  it('has one train task per fold and, with pseudo-labelling, a second round after pseudo-label', async () => {
    const cfg = { data: { root: '/nowhere', work: 'data/graph-test' }, preprocess: { folds: 4 }, pseudo: { enabled: true } };
    const train = await targets('train', cfg);
    for (const r of [1, 2]) {
      expect(deps(train[`round${r}`])).toEqual([0, 1, 2, 3].map((k) => `train:round${r}-fold-${k}`));
      expect(train[`round${r}-fold-2`]?.outputs).toEqual([`{workspaceRoot}/data/graph-test/train/round${r}/fold-2`]);
    }
    expect(deps(train['round1-fold-0'])).toEqual(['preprocess:run']);
    expect(deps(train['round2-fold-0'])).toEqual(['preprocess:run', 'pseudo-label:run']);
    expect(deps((await targets('pseudo-label', cfg)).run)).toEqual(['ensemble:round1']);
    expect(deps((await targets('submit', cfg)).run)).toEqual(['ensemble:round2']);
    // the report follows submit, which follows every task it reads
    const report = (await targets('report', cfg)).run;
    expect(deps(report)).toEqual(['submit:run']);
    expect(report?.outputs).toEqual(['{workspaceRoot}/data/graph-test/report']);
  }, 120_000);

  it('lays out every fold of both rounds whatever train.folds and pseudo.enabled say; the ensemble and submit pick what runs', async () => {
    // Nx keys each task on its whole project's configuration: a target set that followed
    // train.folds would rerun every finished fold when a fold is added (see contracts' graph.ts)
    const cfg = { data: { root: '/nowhere', work: 'data/graph-test' }, preprocess: { folds: 5 }, train: { folds: [1, 3] } };
    const train = await targets('train', cfg);
    const all = (r: number) => [0, 1, 2, 3, 4].map((k) => `round${r}-fold-${k}`);
    expect(Object.keys(train).filter((t) => t.startsWith('round')).sort()).toEqual(['round1', ...all(1), 'round2', ...all(2)]);
    expect(deps((await targets('ensemble', cfg)).round1)).toEqual(['train:round1-fold-1', 'train:round1-fold-3']);
    expect(deps((await targets('submit', cfg)).run)).toEqual(['ensemble:round1']);
    expect(deps((await targets('pseudo-label', cfg)).run)).toEqual(['ensemble:round1']);
  }, 120_000);

  it('detects faces between the data root and preprocess when preprocess crops faces', async () => {
    const cfg = { data: { root: '/nowhere', work: 'data/graph-test' }, preprocess: { folds: 3, faceCrop: { margin: 0.2 } } };
    expect(deps((await targets('preprocess', cfg)).run)).toEqual(['detect:run']);
    expect((await targets('detect', cfg)).run?.outputs).toEqual(['{workspaceRoot}/data/graph-test/detect']);
    const plain = { data: { root: '/nowhere', work: 'data/graph-test' }, preprocess: { folds: 3 } };
    expect(await targets('detect', plain)).not.toHaveProperty('run');
    expect(deps((await targets('preprocess', plain)).run)).toEqual([]);
  }, 120_000);

  it('refuses a work folder outside the workspace and a fold that does not exist', () => {
    expect(() => pipelineGraph(parseConfig({ data: { root: '/d', work: '/elsewhere' } }), WORKSPACE_ROOT)).toThrow(/must be inside the workspace/);
    expect(() => pipelineGraph(parseConfig({ data: { root: '/d', work: 'data/w' }, preprocess: { folds: 3 }, train: { folds: [3] } }), WORKSPACE_ROOT)).toThrow(
      /train.folds lists fold 3 but preprocess.folds is 3/,
    );
  });
});
