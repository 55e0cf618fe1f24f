import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from './load.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'config-checks-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const parse = (over: object) => () => parseConfig({ data: { root: '/d' }, ...over }, 'c.json', dir);

describe('semantic config checks at load', () => {
  it('accepts the defaults and every shipped kind of model', async () => {
    expect(() => parse({})()).not.toThrow();
    await writeFile(join(dir, 'w.safetensors'), '');
    expect(() => parse({ model: { arch: 'resnet34', pretrained: 'w.safetensors' } })()).not.toThrow();
    expect(() => parse({ model: { arch: 'faceapi_resnet29', pretrained: 'face-api' } })()).not.toThrow();
    expect(() => parse({ preprocess: { folds: 4 }, train: { folds: [1, 3] }, ensemble: { weights: [1, 2] } })()).not.toThrow();
  });

  it('refuses age thresholds out of order (the middle band would be empty)', () => {
    expect(parse({ preprocess: { youngAgeThreshold: 60, oldAgeThreshold: 30 } })).toThrow(
      'c.json: preprocess.youngAgeThreshold (60) must be below preprocess.oldAgeThreshold (30), or the middle age band is empty: swap or correct them',
    );
    expect(parse({ preprocess: { youngAgeThreshold: 40, oldAgeThreshold: 40 } })).toThrow(/youngAgeThreshold \(40\) must be below/);
  });

  it('refuses an architecture the registry does not build, and pretrained weights that are not there', () => {
    expect(parse({ model: { arch: 'resnet9000' } })).toThrow(
      'c.json: model.arch "resnet9000" is not an architecture this facemask builds: use one of resnet18, resnet34, resnet50, faceapi_resnet29',
    );
    expect(parse({ model: { pretrained: 'missing.safetensors' } })).toThrow(
      `c.json: model.pretrained ${join(dir, 'missing.safetensors')} does not exist: put the weights there (relative paths are from the config file's folder), or set model.pretrained to null`,
    );
    expect(parse({ model: { arch: 'resnet18', pretrained: 'face-api' } })).toThrow(/"face-api" fits model\.arch faceapi_resnet29 only, not resnet18/);
    expect(parse({ model: { pretrained: 'weights.pt' } })).toThrow(/weights\.pt is not a \.safetensors file/);
    // face-api's network takes face-api's own weights, not a torchvision state_dict
    expect(parse({ model: { arch: 'faceapi_resnet29', pretrained: 'weights.safetensors' } })).toThrow(/model\.arch faceapi_resnet29 loads face-api's own weights: set model\.pretrained to "face-api" or null/);
  });

  it('refuses a width multiplier on an architecture whose weights fix its widths', () => {
    expect(parse({ model: { arch: 'faceapi_resnet29', pretrained: 'face-api', widthMultiplier: 0.5 } })).toThrow(
      'c.json: model.arch faceapi_resnet29 has fixed widths (its weights set them): set model.widthMultiplier to 1, not 0.5',
    );
    expect(parse({ model: { arch: 'resnet18', widthMultiplier: 0.5 } })).not.toThrow();
  });

  it('refuses an input smaller than the architecture can take', () => {
    expect(parse({ preprocess: { height: 96, width: 150 }, model: { arch: 'faceapi_resnet29', pretrained: 'face-api' } })).toThrow(
      'c.json: preprocess.height x width 96x150 is too small for model.arch faceapi_resnet29, whose downsampling leaves no feature map below 104 px: set both to 104 or more',
    );
    expect(parse({ preprocess: { height: 8, width: 8 } })).toThrow(/8x8 is too small for model\.arch resnet18/);
    expect(parse({ preprocess: { height: 16, width: 16 } })).not.toThrow();
  });

  it('refuses a normalisation that divides by zero or is on the 0..255 scale', () => {
    expect(parse({ augment: { std: [0, 0, 0] } })).toThrow(/augment\.std \[0, 0, 0\] must be in \(0, 1\]/);
    expect(parse({ augment: { mean: [124, 116, 104] } })).toThrow(/augment\.mean \[124, 116, 104\] must be in \[0, 1\].*divide a 0\.\.255 mean by 255/);
  });

  it('refuses ensemble weights that are not one per trained fold, or all zero', () => {
    expect(parse({ preprocess: { folds: 5 }, ensemble: { weights: [1, 2, 3] } })).toThrow(
      'c.json: ensemble.weights has 3 values for 5 trained folds: give one weight per fold (train.folds, else preprocess.folds), or null for equal weights',
    );
    expect(parse({ preprocess: { folds: 2 }, ensemble: { weights: [0, 0] } })).toThrow(/ensemble\.weights are all 0/);
  });

  it('refuses a cosine warm-up that leaves no epochs to anneal over', () => {
    expect(parse({ scheduler: { name: 'cosine', warmupEpochs: 2 }, train: { epochs: 2 } })).toThrow(
      'c.json: scheduler.warmupEpochs (2) leaves no epochs of train.epochs (2) for the cosine schedule: set warmupEpochs below train.epochs, or raise train.epochs',
    );
    expect(parse({ scheduler: { name: 'cosine', warmupEpochs: 2 }, train: { epochs: 3 } })).not.toThrow();
    // a warm-up before a step schedule leaves the steps after it, however few
    expect(parse({ scheduler: { name: 'step', warmupEpochs: 2 }, train: { epochs: 2 } })).not.toThrow();
  });

  it('names the config file and every problem on one line', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ data: { root: '.' }, model: { arch: 'resnet9000' }, augment: { std: [0, 0, 0] } }));
    const err = await loadConfig(file, dir).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(new RegExp(`^${file}: model\\.arch "resnet9000" .*; augment\\.std \\[0, 0, 0\\] .*$`));
    expect((err as Error).message).not.toContain('\n');
  });
});
