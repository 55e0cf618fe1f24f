import { execSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, targets as ids, WORKSPACE_ROOT, type ConfigInput } from '@facemask/contracts';
import { modelIdentities } from '@facemask/face-detect/identity';
import { fingerprintDataRoot } from '@facemask/preprocess/fingerprint';
import { createNodes, keyFilePath, keysDir } from './plugin.ts';

let dir: string;
let keysFolder: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nx-plugin-'));
  keysFolder = join(dir, 'keys');
});
/** A key file the runtime inputs name, where it lies for this test's key folder. */
const keyFile = (ref: string) => keyFilePath(WORKSPACE_ROOT, ref, { FACEMASK_KEYS: keysFolder });
afterAll(() => rm(dir, { recursive: true, force: true }));

const STAGE_PROJECTS = ['detect', 'preprocess', 'train', 'ensemble', 'pseudo-label', 'submit', 'report'];
const PROJECT_FILES = [...STAGE_PROJECTS, 'augment'].map((p) => `packages/${p}/project.json`);
type Targets = Record<string, Record<string, TargetConfiguration>>;
/** What the plugin gave each project, and what its key files held right after. */
interface Laid {
  targets: Targets;
  files: Map<string, string>;
}

/** The targets the plugin gives each project for a config file, called as Nx calls it. */
async function layOut(configFile: string): Promise<Laid> {
  const saved = { config: process.env.FACEMASK_CONFIG, keys: process.env.FACEMASK_KEYS };
  process.env.FACEMASK_CONFIG = configFile;
  process.env.FACEMASK_KEYS = keysFolder;
  try {
    const nodes = await createNodes(PROJECT_FILES, undefined, { workspaceRoot: WORKSPACE_ROOT, nxJsonConfiguration: {} });
    const targets = Object.fromEntries(nodes.map(([file, r]) => [file.split('/')[1]!, (Object.values(r.projects ?? {})[0]?.targets ?? {}) as Record<string, TargetConfiguration>]));
    const files = new Map<string, string>();
    const keys = keysDir(WORKSPACE_ROOT);
    for (const f of await readdir(keys)) files.set(join(keys, f), await readFile(join(keys, f), 'utf8'));
    return { targets, files };
  } finally {
    for (const [k, v] of [['FACEMASK_CONFIG', saved.config], ['FACEMASK_KEYS', saved.keys]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function targetsFor(configFile: string): Promise<Targets> {
  return (await layOut(configFile)).targets;
}

async function laidOut(cfg: ConfigInput): Promise<Laid> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(cfg));
  return layOut(file);
}

async function targetsOf(cfg: ConfigInput): Promise<Targets> {
  return (await laidOut(cfg)).targets;
}

/** The stage projects a stage package depends on (Nx's project graph follows package.json). */
function stageDeps(project: string): string[] {
  const pkg = JSON.parse(readFileSync(resolve(WORKSPACE_ROOT, 'packages', project, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
  return STAGE_PROJECTS.filter((p) => p !== project && names.includes(`@facemask/${p}`));
}

/**
 * Every cached target's key as Nx forms it, as far as the config can move it: its own inputs
 * (with what the key files its runtime inputs read held), its whole project's configuration and
 * that of the stage projects its package depends on (Nx's "ProjectConfiguration" inputs).
 */
function keys(l: Laid): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [project, targets] of Object.entries(l.targets)) {
    for (const [name, target] of Object.entries(targets)) {
      if (target.executor === 'nx:noop') continue;
      const runtime = (target.inputs ?? []).flatMap((i) => (typeof i === 'object' && 'runtime' in i ? [String(i.runtime)] : []));
      const read = runtime.flatMap((r) => [...r.matchAll(/"([^"]+)"/g)].map((m) => l.files.get(keyFile(m[1]!)) ?? ''));
      const projects = [project, ...stageDeps(project)].map((p) => l.targets[p] ?? {});
      out[`${project}:${name}`] = JSON.stringify({ target, read, projects });
    }
  }
  return out;
}

function changed(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
}

const base: ConfigInput = { data: { root: '/data', work: 'data/plugin-test' }, preprocess: { folds: 3 } };

describe('the Nx plugin', () => {
  const trainTargets = ['fold', 'round1-fold-0', 'round1-fold-1', 'round1-fold-2', 'round2-fold-0', 'round2-fold-1', 'round2-fold-2'].map((n) => `train:${n}`);

  it('gives each stage project its tasks and leaves other projects alone', async () => {
    const t = await targetsOf(base);
    // every fold of both rounds exists whatever train.folds and pseudo.enabled say: see graph.ts
    expect(Object.keys(t.train!).sort()).toEqual(['fold', 'round1', 'round1-fold-0', 'round1-fold-1', 'round1-fold-2', 'round2', 'round2-fold-0', 'round2-fold-1', 'round2-fold-2']);
    expect(Object.keys(t.preprocess!)).toEqual(['run']);
    expect(Object.keys(t.ensemble!).sort()).toEqual(['round1', 'round2']);
    expect(Object.keys(t['pseudo-label']!)).toEqual(['run']);
    expect(t.augment).toEqual({});
    const fold = t.train!['round1-fold-1']!;
    expect(fold.options.command).toBe('node --import tsx --conditions=source packages/train/src/main.ts --round 1 --fold 1');
    expect(fold.outputs).toEqual(['{workspaceRoot}/data/plugin-test/train/round1/fold-1']);
    expect(fold.inputs).toContainEqual({ env: 'TFJS_BACKEND' });
    expect(t.train!['round2-fold-0']!.dependsOn).toEqual([{ projects: ['preprocess'], target: 'run' }, { projects: ['pseudo-label'], target: 'run' }]);
    expect(t.train!.fold!.outputs).toEqual(['{workspaceRoot}/data/plugin-test/train/round{options.round}/fold-{options.fold}']);
    expect(t.submit!.run!.options.command).toMatch(/packages\/submit\/src\/main\.ts write$/);
    expect(t.submit!.run!.dependsOn).toEqual([{ projects: ['ensemble'], target: 'round1' }]);
    // the report reads every artifact of the run: it follows submit, which follows all of them
    expect(t.report!.run!.options.command).toMatch(/packages\/report\/src\/main\.ts$/);
    expect(t.report!.run!.outputs).toEqual(['{workspaceRoot}/data/plugin-test/report']);
    expect(t.report!.run!.dependsOn).toEqual([{ projects: ['submit'], target: 'run' }]);
    // preprocess keys on the data root's files, which live outside the workspace
    expect(t.preprocess!.run!.inputs).toContainEqual({ runtime: expect.stringMatching(/fingerprint-main\.ts ".*fingerprint-args\.json"$/) });
    // every target is part of the keys of its project's tasks: nothing in one names this machine
    expect(JSON.stringify(t)).not.toContain(WORKSPACE_ROOT);
    expect(JSON.stringify(t)).not.toContain(dir);
    // no config value in any target: Nx keys each task on its whole project's configuration
    expect(JSON.stringify(t)).not.toMatch(/"\/data"/);
  });

  it('changes the key of exactly the stages that read a changed option', async () => {
    const before = keys(await laidOut(base));
    // the report shows the whole config: every change is one for it too
    const report = ids.report;
    const ensembles = ['ensemble:round1', 'ensemble:round2'];
    expect(changed(before, keys(await laidOut({ ...base, ensemble: { method: 'hard' } })))).toEqual([...ensembles, report]);
    expect(changed(before, keys(await laidOut({ ...base, train: { epochs: 3 } })))).toEqual([report, ...trainTargets]);
    expect(changed(before, keys(await laidOut({ ...base, loss: { name: 'focal', gamma: 1 } })))).toEqual([report, ...trainTargets]);
    expect(changed(before, keys(await laidOut({ ...base, preprocess: { folds: 3, height: 96 } })))).toEqual(['preprocess:run', report]);
    expect(changed(before, keys(await laidOut({ ...base, data: { ...base.data, evalLabels: '/l.csv' } })))).toEqual([report, 'submit:run']);
    expect(changed(before, keys(await laidOut({ ...base, pseudo: { threshold: 0.5 } })))).toEqual(['pseudo-label:run', report]);
    // read by no stage but the report
    expect(changed(before, keys(await laidOut({ ...base, name: 'renamed' })))).toEqual([report]);
    expect(changed(before, keys(await laidOut({ ...base, report: { worst: 5, thumbSize: 128 } })))).toEqual([report]);
  });

  it('adds a fold, or switches pseudo-labelling on, without touching the key of any fold', async () => {
    const two = await laidOut({ ...base, train: { folds: [0, 1] } });
    const three = await laidOut({ ...base, train: { folds: [0, 1, 2] } });
    expect(two.targets.ensemble!.round1!.dependsOn).toHaveLength(2);
    expect(three.targets.ensemble!.round1!.dependsOn).toHaveLength(3);
    // the ensembles, which read which folds they vote over, and the report
    expect(changed(keys(two), keys(three))).toEqual(['ensemble:round1', 'ensemble:round2', ids.report]);
    const pseudo = await laidOut({ ...base, pseudo: { enabled: true } });
    expect(pseudo.targets.submit!.run!.dependsOn).toEqual([{ projects: ['ensemble'], target: 'round2' }]);
    expect(changed(keys(three), keys(pseudo))).toEqual(['pseudo-label:run', ids.report, 'submit:run']);
  });

  it('in features mode, computes the features in one task every fold depends on, keyed on what shapes them', async () => {
    const features = { ...base, train: { mode: 'features' as const } };
    const l = await laidOut(features);
    const task = l.targets.train!.features!;
    expect(task.options.command).toBe('node --import tsx --conditions=source packages/train/src/features-main.ts');
    expect(task.outputs).toEqual(['{workspaceRoot}/data/plugin-test/train/features']);
    expect(task.inputs).toContainEqual({ env: 'TFJS_BACKEND' });
    expect(task.dependsOn).toEqual([{ projects: ['preprocess'], target: 'run' }]);
    for (const fold of ['round1-fold-0', 'fold']) {
      expect(l.targets.train![fold]!.dependsOn).toEqual([{ projects: ['preprocess'], target: 'run' }, { projects: ['train'], target: 'features' }]);
    }
    const before = keys(l);
    // the head and the training options are not part of the features; the backbone is
    expect(changed(before, keys(await laidOut({ ...features, model: { head: 'multi' } })))).toEqual([ids.report, ...trainTargets]);
    expect(changed(before, keys(await laidOut({ ...features, train: { mode: 'features', epochs: 40 } })))).toEqual([ids.report, ...trainTargets]);
    expect(changed(before, keys(await laidOut({ ...features, model: { widthMultiplier: 0.5 } })))).toEqual([ids.report, 'train:features', ...trainTargets]);
    expect((await targetsOf(base)).train).not.toHaveProperty('features');
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
    const fingerprint = { runtime: expect.stringMatching(/fingerprint-main\.ts ".*fingerprint-args\.json"$/) };
    expect(face.detect!.run!.inputs).toContainEqual(fingerprint);
    expect(face.detect!.run!.inputs).toContainEqual({ env: 'TFJS_BACKEND' });
    // preprocess's key covers the detections it crops around (its upstream outputs)
    expect(face.preprocess!.run!.inputs).toContainEqual({ dependentTasksOutputFiles: '**/!(run|summary).json', transitive: true });
  });

  it('reruns the image cache, not detection, when the crop changes; detection when the detectors do', async () => {
    const face = { ...base, preprocess: { folds: 3, faceCrop: { margin: 0.1 } } };
    const report = ids.report;
    const before = keys(await laidOut(face));
    expect(changed(before, keys(await laidOut({ ...face, preprocess: { folds: 3, faceCrop: { margin: 0.3 } } })))).toEqual(['preprocess:run', report]);
    expect(changed(before, keys(await laidOut({ ...face, preprocess: { folds: 3, faceCrop: { margin: 0.1, align: 'eyes' } } })))).toEqual(['preprocess:run', report]);
    expect(changed(before, keys(await laidOut({ ...face, detect: { detectors: [{ name: 'blazeface', minScore: 0.3 }] } })))).toEqual(['detect:run', report]);
    expect(changed(before, keys(await laidOut({ ...face, detect: { landmarks: true } })))).toEqual(['detect:run', report]);
    // training options reach neither
    expect(changed(before, keys(await laidOut({ ...face, train: { epochs: 3 } }))).filter((k) => !k.startsWith('train:'))).toEqual([report]);
  });

  it("keys detection on its slice and its networks' weight files (package, version, sha256 of each file)", async () => {
    const input: ConfigInput = { ...base, preprocess: { folds: 3, faceCrop: {} }, detect: { detectors: [{ name: 'blazeface', minScore: 0.2 }, { name: 'ssd' }] } };
    const models = await modelIdentities(parseConfig(input).detect);
    expect(models.map((m) => m.detector)).toEqual(['blazeface', 'ssd']);
    const l = await laidOut(input);
    const file = join(keysFolder, 'detect.json');
    expect(JSON.parse(l.files.get(file)!).models).toEqual(JSON.parse(JSON.stringify(models)));
    expect(l.targets.detect!.run!.inputs).toContainEqual({ runtime: 'cat "${FACEMASK_KEYS:-.nx/facemask-keys/default}/detect.json"' });
  });

  it("spares a process when the data root is unchanged: its fingerprint, from sizes and times, is what the full one prints", async () => {
    const root = join(dir, 'fp-data');
    const work = 'data/plugin-test-fingerprint';
    await mkdir(join(root, 'train', 'images', 'p1'), { recursive: true });
    await mkdir(join(root, 'eval'), { recursive: true });
    await writeFile(join(root, 'train', 'train.csv'), 'id\n1\n');
    await writeFile(join(root, 'train', 'images', 'p1', 'normal.jpg'), 'pixels');
    await writeFile(join(root, 'eval', 'info.csv'), 'ImageID,ans\n');
    const input: ConfigInput = { data: { root, work } };
    const sidecar = resolve(WORKSPACE_ROOT, work, '.cache', 'fingerprint-files.json');
    const runtime = (l: Laid) => (l.targets.preprocess!.run!.inputs ?? []).flatMap((i) => (typeof i === 'object' && 'runtime' in i && String(i.runtime).includes('fingerprint') ? [String(i.runtime)] : []))[0]!;
    const run = (cmd: string) => execSync(cmd, { cwd: WORKSPACE_ROOT, encoding: 'utf8', env: { ...process.env, FACEMASK_KEYS: keysFolder } });
    try {
      // never fingerprinted: no sidecar, so the runtime input runs the full fingerprint
      const first = await laidOut(input);
      const fingerprintFile = join(keysFolder, 'fingerprint.txt');
      expect(first.files.has(fingerprintFile)).toBe(false);
      const full = run(runtime(first));
      expect(full).toBe(`${await fingerprintDataRoot(root)}\n`);
      expect(existsSync(sidecar)).toBe(true);
      // unchanged since: the plugin knows it, and the runtime input prints the same line
      const again = await laidOut(input);
      expect(again.files.get(fingerprintFile)).toBe(full);
      expect(run(runtime(again))).toBe(full);
      // a photo changes: the plugin's answer is gone and the full fingerprint tells the change
      await writeFile(join(root, 'train', 'images', 'p1', 'normal.jpg'), 'other pixels');
      const changed = await laidOut(input);
      expect(changed.files.has(fingerprintFile)).toBe(false);
      const now = run(runtime(changed));
      expect(now).toBe(`${await fingerprintDataRoot(root)}\n`);
      expect(now).not.toBe(full);
    } finally {
      await rm(resolve(WORKSPACE_ROOT, work), { recursive: true, force: true });
    }
  });

  it("keys the model stages on TensorFlow's thread pools when they run on it, and only then", async () => {
    const withEnv = async (env: Record<string, string>) => {
      const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
      Object.assign(process.env, env);
      try {
        return keys(await laidOut(base));
      } finally {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
    };
    const two = await withEnv({ TFJS_BACKEND: 'tensorflow', TF_NUM_INTRAOP_THREADS: '2' });
    const four = await withEnv({ TFJS_BACKEND: 'tensorflow', TF_NUM_INTRAOP_THREADS: '4' });
    expect(changed(two, four)).toEqual(trainTargets);
    const wasmTwo = await withEnv({ TFJS_BACKEND: 'wasm', TF_NUM_INTRAOP_THREADS: '2' });
    const wasmFour = await withEnv({ TFJS_BACKEND: 'wasm', TF_NUM_INTRAOP_THREADS: '4' });
    expect(changed(wasmTwo, wasmFour)).toEqual([]);
  });

  it('lays out the shipped configs as the README describes the pipeline', async () => {
    const readme = await readFile(resolve(WORKSPACE_ROOT, 'README.md'), 'utf8');
    const configs = resolve(WORKSPACE_ROOT, 'tools/pipeline/configs');
    // Pretrained weights are the user's to download (config load checks they are there): a copy
    // of each config names a stand-in file, with its paths resolved against the config's folder.
    const copies = join(dir, 'shipped');
    await mkdir(copies, { recursive: true });
    const stand = join(copies, 'weights.safetensors');
    await writeFile(stand, '');
    for (const name of readdirSync(configs).filter((f) => f.endsWith('.json'))) {
      const cfg = JSON.parse(await readFile(join(configs, name), 'utf8')) as { data: Record<string, string | null>; model?: { pretrained?: string | null } };
      for (const k of ['root', 'evalLabels'] as const) if (typeof cfg.data[k] === 'string') cfg.data[k] = resolve(configs, cfg.data[k]);
      if (cfg.model?.pretrained?.endsWith('.safetensors')) cfg.model.pretrained = stand;
      await writeFile(join(copies, name), JSON.stringify(cfg));
      const t = await targetsFor(join(copies, name));
      expect(readme, `README.md describes ${name}`).toContain(`\`${name}\`: ${stagesInOrder(t)}`);
    }
  });
});

/**
 * The stages report:run depends on and itself, in the order Nx runs them, read from the targets'
 * dependsOn alone: "preprocess -> train round 1 (5 folds) -> ensemble round 1 -> submit -> report".
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
  visit(ids.report);
  const steps: string[] = [];
  for (const id of order) {
    const [project, name] = id.split(':') as [string, string];
    const round = /^round(\d)/.exec(name)?.[1];
    let step = round ? `${project} round ${round}` : project;
    if (id === 'train:features') step = 'train features';
    else if (project === 'train') {
      const n = order.filter((o) => o.startsWith(`train:round${round}-fold-`)).length;
      step += ` (${n} folds)`;
    }
    if (steps.at(-1) !== step) steps.push(step);
  }
  return steps.join(' -> ');
}
