import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashJson, parseConfig, stageParams, WORKSPACE_ROOT, type ConfigInput } from '@facemask/contracts';
import { modelIdentities } from '@facemask/face-detect/identity';
import { createNodes } from './plugin.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nx-plugin-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const PROJECT_FILES = ['detect', 'preprocess', 'train', 'ensemble', 'pseudo-label', 'submit', 'augment'].map((p) => `packages/${p}/project.json`);
type Targets = Record<string, Record<string, TargetConfiguration>>;

/** The targets the plugin gives each project for a config file, called as Nx calls it. */
async function targetsFor(configFile: string): Promise<Targets> {
  const saved = process.env.FACEMASK_CONFIG;
  process.env.FACEMASK_CONFIG = configFile;
  try {
    const nodes = await createNodes(PROJECT_FILES, undefined, { workspaceRoot: WORKSPACE_ROOT, nxJsonConfiguration: {} });
    return Object.fromEntries(nodes.map(([file, r]) => [file.split('/')[1]!, (Object.values(r.projects ?? {})[0]?.targets ?? {}) as Record<string, TargetConfiguration>]));
  } finally {
    if (saved === undefined) delete process.env.FACEMASK_CONFIG;
    else process.env.FACEMASK_CONFIG = saved;
  }
}

async function targetsOf(cfg: ConfigInput): Promise<Targets> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(cfg));
  return targetsFor(file);
}

/** Every target's cache key parts that come from the config (the params literals and env inputs). */
function keys(t: Targets): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [project, targets] of Object.entries(t)) {
    for (const [name, target] of Object.entries(targets)) {
      const parts = (target.inputs ?? []).filter((i) => typeof i === 'object' && ('runtime' in i || 'env' in i));
      if (parts.length) out[`${project}:${name}`] = JSON.stringify(parts);
    }
  }
  return out;
}

function changed(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
}

const base: ConfigInput = { data: { root: '/data', work: 'data/plugin-test' }, preprocess: { folds: 3 } };

describe('the Nx plugin', () => {
  it('gives each stage project its tasks and leaves other projects alone', async () => {
    const t = await targetsOf(base);
    expect(Object.keys(t.train!).sort()).toEqual(['fold', 'round1', 'round1-fold-0', 'round1-fold-1', 'round1-fold-2']);
    expect(Object.keys(t.preprocess!)).toEqual(['run']);
    expect(t.augment).toEqual({});
    expect(t['pseudo-label']).toEqual({});
    const fold = t.train!['round1-fold-1']!;
    expect(fold.options.command).toBe('node --import tsx --conditions=source packages/train/src/main.ts --round 1 --fold 1');
    expect(fold.outputs).toEqual(['{workspaceRoot}/data/plugin-test/train/round1/fold-1']);
    expect(fold.inputs).toContainEqual({ env: 'TFJS_BACKEND' });
    expect(t.train!.fold!.outputs).toEqual(['{workspaceRoot}/data/plugin-test/train/round{options.round}/fold-{options.fold}']);
    expect(t.submit!.run!.options.command).toMatch(/packages\/submit\/src\/main\.ts write$/);
    // preprocess hashes the data root's files, which live outside the workspace
    expect(t.preprocess!.run!.inputs).toContainEqual({ runtime: expect.stringMatching(/fingerprint-main\.ts "\/data" ".*data\/plugin-test\/\.cache\/fingerprint-files\.json"$/) });
  });

  it('changes the key of exactly the stages that read a changed option', async () => {
    const before = keys(await targetsOf(base));
    const folds = ['train:fold', 'train:round1-fold-0', 'train:round1-fold-1', 'train:round1-fold-2'];
    expect(changed(before, keys(await targetsOf({ ...base, ensemble: { method: 'hard' } })))).toEqual(['ensemble:round1']);
    expect(changed(before, keys(await targetsOf({ ...base, train: { epochs: 3 } })))).toEqual(folds);
    expect(changed(before, keys(await targetsOf({ ...base, loss: { name: 'focal', gamma: 1 } })))).toEqual(folds);
    expect(changed(before, keys(await targetsOf({ ...base, preprocess: { folds: 3, height: 96 } })))).toEqual(['preprocess:run']);
    expect(changed(before, keys(await targetsOf({ ...base, data: { ...base.data, evalLabels: '/l.csv' } })))).toEqual(['submit:run']);
    // read by no stage of this graph: nothing changes
    expect(changed(before, keys(await targetsOf({ ...base, name: 'renamed', pseudo: { threshold: 0.5 } })))).toEqual([]);
  });

  it('detects faces before preprocess only when preprocess crops faces', async () => {
    const plain = await targetsOf(base);
    expect(plain.detect).toEqual({});
    expect(plain.preprocess!.run!.dependsOn).toEqual([]);
    const face = await targetsOf({ ...base, preprocess: { folds: 3, faceCrop: {} } });
    expect(Object.keys(face.detect!)).toEqual(['run']);
    expect(face.detect!.run!.options.command).toBe('node --import tsx --conditions=source packages/detect/src/main.ts');
    expect(face.detect!.run!.outputs).toEqual(['{workspaceRoot}/data/plugin-test/detect']);
    expect(face.preprocess!.run!.dependsOn).toEqual([{ projects: ['detect'], target: 'run' }]);
    // detection reads the photos: the data root's fingerprint is in its key, as in preprocess's
    const fingerprint = { runtime: expect.stringMatching(/fingerprint-main\.ts "\/data" /) };
    expect(face.detect!.run!.inputs).toContainEqual(fingerprint);
    // preprocess's key covers the detections it crops around (its upstream outputs)
    expect(face.preprocess!.run!.inputs).toContainEqual({ dependentTasksOutputFiles: '**/*.json', transitive: true });
  });

  it('reruns the image cache, not detection, when the crop changes; detection when the detectors do', async () => {
    const face = { ...base, preprocess: { folds: 3, faceCrop: { margin: 0.1 } } };
    const before = keys(await targetsOf(face));
    expect(changed(before, keys(await targetsOf({ ...face, preprocess: { folds: 3, faceCrop: { margin: 0.3 } } })))).toEqual(['preprocess:run']);
    expect(changed(before, keys(await targetsOf({ ...face, preprocess: { folds: 3, faceCrop: { margin: 0.1, align: 'eyes' } } })))).toEqual(['preprocess:run']);
    expect(changed(before, keys(await targetsOf({ ...face, detect: { detectors: [{ name: 'blazeface', minScore: 0.3 }] } })))).toEqual(['detect:run']);
    expect(changed(before, keys(await targetsOf({ ...face, detect: { landmarks: true } })))).toEqual(['detect:run']);
    // training options reach neither
    expect(changed(before, keys(await targetsOf({ ...face, train: { epochs: 3 } }))).filter((k) => !k.startsWith('train:'))).toEqual([]);
  });

  it("keys detection on its slice and its networks' weight files (package, version, sha256 of each file)", async () => {
    const input: ConfigInput = { ...base, preprocess: { folds: 3, faceCrop: {} }, detect: { detectors: [{ name: 'blazeface', minScore: 0.2 }, { name: 'ssd' }] } };
    const cfg = parseConfig(input);
    const models = await modelIdentities(cfg.detect);
    expect(models.map((m) => m.detector)).toEqual(['blazeface', 'ssd']);
    const t = await targetsOf(input);
    expect(t.detect!.run!.inputs).toContainEqual({ runtime: `echo detect params ${hashJson({ params: stageParams(cfg, 'detect'), models })}` });
  });

  it('adds a fold without touching the key of the folds already trained', async () => {
    const two = await targetsOf({ ...base, train: { folds: [0, 1] } });
    const three = await targetsOf({ ...base, train: { folds: [0, 1, 2] } });
    expect(Object.keys(two.train!)).not.toContain('round1-fold-2');
    const [a, b] = [keys(two), keys(three)];
    // the new fold, and the ensemble, which reads which folds it votes over
    expect(changed(a, b)).toEqual(['ensemble:round1', 'train:round1-fold-2']);
    expect(three.ensemble!.round1!.dependsOn).toHaveLength(3);
  });

  it('lays out the shipped configs as the README describes the pipeline', async () => {
    const readme = await readFile(resolve(WORKSPACE_ROOT, 'README.md'), 'utf8');
    const configs = resolve(WORKSPACE_ROOT, 'tools/pipeline/configs');
    for (const name of readdirSync(configs).filter((f) => f.endsWith('.json'))) {
      const t = await targetsFor(join(configs, name));
      expect(readme, `README.md describes ${name}`).toContain(`\`${name}\`: ${stagesInOrder(t)}`);
    }
  });
});

/**
 * The stages submit:run depends on, in the order Nx runs them, read from the targets'
 * dependsOn alone: "preprocess -> train round 1 (5 folds) -> ensemble round 1 -> submit".
 */
function stagesInOrder(t: Targets): string {
  const done = new Set<string>();
  const order: string[] = [];
  const visit = (id: string) => {
    if (done.has(id)) return;
    done.add(id);
    const [project, name] = id.split(':') as [string, string];
    for (const d of t[project]?.[name]?.dependsOn ?? []) {
      if (typeof d === 'object' && d.projects) for (const p of d.projects as string[]) visit(`${p}:${d.target}`);
    }
    if (t[project]?.[name]?.executor !== 'nx:noop') order.push(id);
  };
  visit('submit:run');
  const steps: string[] = [];
  for (const id of order) {
    const [project, name] = id.split(':') as [string, string];
    const round = /^round(\d)/.exec(name)?.[1];
    let step = round ? `${project} round ${round}` : project;
    if (project === 'train') {
      const n = order.filter((o) => o.startsWith(`train:round${round}-fold-`)).length;
      step += ` (${n} folds)`;
    }
    if (steps.at(-1) !== step) steps.push(step);
  }
  return steps.join(' -> ');
}
