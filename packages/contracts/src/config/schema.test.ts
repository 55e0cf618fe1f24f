import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from './load.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('config', () => {
  it('fills every default from data.root alone', () => {
    const c = parseConfig({ data: { root: '/d' } });
    expect(c.preprocess.folds).toBe(5);
    expect(c.preprocess.oldAgeThreshold).toBe(60);
    expect(c.optim).toMatchObject({ name: 'sgd', lr: 1e-4, momentum: 0.9 });
    expect(c.scheduler).toMatchObject({ name: 'step', stepSize: 10, gamma: 0.9 });
    expect(c.train).toMatchObject({ epochs: 15, batchSize: 4 });
    expect(c.augment.train).toEqual([{ type: 'hflip', p: 0.5 }]);
    expect(c.model).toMatchObject({ featureLayers: [], featureNorm: false, extraBackbones: [] });
  });

  it('takes each known extra backbone once', () => {
    expect(parseConfig({ data: { root: '/d' }, model: { extraBackbones: ['faceres'] } }).model.extraBackbones).toEqual(['faceres']);
    expect(() => parseConfig({ data: { root: '/d' }, model: { extraBackbones: ['faceres', 'faceres'] } }, 'c.json')).toThrow(/model\.extraBackbones[\s\S]*once|once[\s\S]*model\.extraBackbones/);
    expect(() => parseConfig({ data: { root: '/d' }, model: { extraBackbones: ['vgg'] } })).toThrow(/model\.extraBackbones\[0\]|extraBackbones/);
  });

  it('requires data.root and rejects unknown keys with the path', () => {
    expect(() => parseConfig({}, 'x.json')).toThrow(/x\.json: invalid config[\s\S]*data/);
    expect(() => parseConfig({ data: { root: '/d' }, optim: { lr: 1, lrr: 2 } }, 'y.json')).toThrow(/lrr/);
  });

  it('resolves data paths against the config file and the work dir against the workspace', async () => {
    const p = join(dir, 'c.json');
    await writeFile(p, JSON.stringify({ data: { root: 'sample', evalLabels: 'sample/l.csv' } }));
    const c = await loadConfig(p, '/ws');
    expect(c.data.root).toBe(join(dir, 'sample'));
    expect(c.data.evalLabels).toBe(join(dir, 'sample/l.csv'));
    // no data.work: a folder of its own, named after the file
    expect(c.data.work).toBe('/ws/data/runs/c');
    await writeFile(p, JSON.stringify({ data: { root: 'sample', work: 'data/mine' } }));
    expect((await loadConfig(p, '/ws')).data.work).toBe('/ws/data/mine');
    await writeFile(join(dir, 'Big Run.JSON'), JSON.stringify({ data: { root: 'sample' } }));
    expect((await loadConfig(join(dir, 'Big Run.JSON'), '/ws')).data.work).toBe('/ws/data/runs/Big Run');
    await writeFile(join(dir, '.json'), JSON.stringify({ data: { root: 'sample' } }));
    await expect(loadConfig(join(dir, '.json'), '/ws')).rejects.toThrow(/\.json: a config file without data\.work needs a name that does not start with '\.'.*rename it or set data\.work/);
    // built in code, without a file: the schema's default
    expect(parseConfig({ data: { root: '/d' } }).data.work).toBe('data/work');
    await writeFile(p, '{');
    await expect(loadConfig(p)).rejects.toThrow(/c\.json is not valid JSON/);
  });
});

describe('loss section', () => {
  it('has one shape per loss: another loss\'s option is an error, no name is cross entropy', () => {
    expect(parseConfig({ data: { root: '/d' } }).loss).toEqual({ name: 'cross_entropy' });
    expect(parseConfig({ data: { root: '/d' }, loss: {} }).loss).toEqual({ name: 'cross_entropy' });
    expect(parseConfig({ data: { root: '/d' }, loss: { name: 'focal' } }).loss).toEqual({ name: 'focal', gamma: 2 });
    expect(() => parseConfig({ data: { root: '/d' }, loss: { name: 'cross_entropy', gamma: 2 } })).toThrow(/gamma/);
    expect(() => parseConfig({ data: { root: '/d' }, loss: { smoothing: 0.2 } })).toThrow(/smoothing/);
  });
});

describe('strict keys', () => {
  it('rejects a misspelt top-level section and a misspelt transform option, naming the path', () => {
    expect(() => parseConfig({ data: { root: '/d' }, trian: { epochs: 3 } }, 'c.json')).toThrow(/c\.json: invalid config[\s\S]*trian/);
    expect(() => parseConfig({ data: { root: '/d' }, augment: { train: [{ type: 'hflip', prob: 0.5 }] } })).toThrow(/prob[\s\S]*augment\.train\[0\]|augment\.train\[0\][\s\S]*prob/);
  });

  it('has a strict face crop (off by default) and a strict detect section with the recommended detector', () => {
    const cfg = parseConfig({ data: { root: '/d' } });
    expect(cfg.preprocess.faceCrop).toBeNull();
    expect(cfg.detect).toEqual({ detectors: [{ name: 'blazeface', minScore: 0.2 }], maxFaces: 1, pick: 'largest', minFaceSize: 0, landmarks: false });
    expect(parseConfig({ data: { root: '/d' }, preprocess: { faceCrop: {} } }).preprocess.faceCrop).toEqual({ margin: 0.1, square: true, align: 'none', border: 'shift' });
    expect(() => parseConfig({ data: { root: '/d' }, preprocess: { faceCrop: { marign: 0.2 } } })).toThrow(/marign[\s\S]*preprocess\.faceCrop|preprocess\.faceCrop[\s\S]*marign/);
    expect(() => parseConfig({ data: { root: '/d' }, detect: { detectors: [{ name: 'blazeface', minScor: 0.3 }] } })).toThrow(/minScor/);
    expect(() => parseConfig({ data: { root: '/d' }, detect: { detectors: [{ name: 'retina' }] } })).toThrow(/detect\.detectors\[0\]/);
    expect(parseConfig({ data: { root: '/d' }, detect: { detectors: [{ name: 'tiny' }] } }).detect.detectors).toEqual([{ name: 'tiny', minScore: 0.5, inputSize: 416 }]);
  });
});
