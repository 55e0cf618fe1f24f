import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, WORKSPACE_ROOT } from './config/index.ts';
import { hashJson } from './hash.ts';
import { paramPaths, paramsMarkers, paramsTable, stageHandoff, stageParams, STAGE_NAMES, STAGES, trainedFolds } from './stages.ts';
import { stageParamsHash } from './stage-cli.ts';

const cfg = parseConfig({ data: { root: '/d' } });

describe('stage selectors', () => {
  it('name the config keys each stage reads', () => {
    expect(paramPaths(cfg, 'detect')).toEqual(['backend', 'data.root', 'detect']);
    expect(paramPaths(cfg, 'preprocess')).toEqual(['data.root', 'preprocess', 'seed']);
    // data.root: where a pixel store not on this disk is rebuilt from (not part of any hash: stageParamsHash)
    expect(paramPaths(cfg, 'train')).toEqual([
      'augment', 'backend', 'data.root', 'loss', 'model', 'optim', 'scheduler', 'seed',
      'train.batchSize', 'train.classWeights', 'train.epochs', 'train.mode', 'train.sampler',
    ]);
    // what shapes the pooled features: not the head, its feature norm, dropout or freezing of the model
    expect(paramPaths(cfg, 'features')).toEqual([
      'augment.mean', 'augment.std', 'backend', 'data.root', 'model.arch', 'model.extraBackbones', 'model.featureBands', 'model.featureLayers', 'model.pretrained', 'model.widthMultiplier', 'preprocess.height', 'preprocess.width', 'seed',
    ]);
    expect(paramPaths(parseConfig({ data: { root: '/d' }, model: { pretrained: 'face-api', arch: 'faceapi_resnet29' } }), 'features')).not.toContain('seed');
    expect(paramPaths(cfg, 'ensemble')).toEqual(['ensemble', 'preprocess.folds', 'train.folds']);
    expect(paramPaths(cfg, 'submit')).toEqual(['data.evalLabels', 'data.root', 'pseudo.enabled']);
    // the report shows the whole config
    expect(paramPaths(cfg, 'report')).toEqual([
      'augment', 'backend', 'data.evalLabels', 'data.root', 'data.work', 'detect', 'ensemble', 'loss', 'model', 'name',
      'optim', 'preprocess', 'pseudo', 'report.thumbSize', 'report.worst', 'scheduler', 'seed', 'train',
    ]);
    expect(paramPaths(cfg, 'report').map((p) => p.split('.')[0])).toEqual(expect.arrayContaining(Object.keys(cfg)));
  });

  it("keep detect's handoff (the image cache's crop options) apart from its key", () => {
    expect(paramPaths(cfg, 'detect', STAGES, 'handoff')).toEqual(['preprocess.centerCrop', 'preprocess.faceCrop', 'preprocess.height', 'preprocess.width']);
    // only detect has one
    expect(STAGE_NAMES.filter((s) => paramPaths(cfg, s, STAGES, 'handoff').length > 0)).toEqual(['detect']);
    expect(stageHandoff(cfg, 'detect')).toBeNull();
    const face = parseConfig({ data: { root: '/d' }, preprocess: { height: 96, width: 80, faceCrop: { margin: 0.3 } } });
    expect(stageHandoff(face, 'detect')).toEqual({ centerCrop: 384, height: 96, width: 80, faceCrop: face.preprocess.faceCrop });
    // another margin or size: the same params, so the same key
    const wider = parseConfig({ data: { root: '/d' }, preprocess: { height: 112, width: 112, faceCrop: { margin: 0.5 } } });
    expect(stageParamsHash(stageParams(wider, 'detect'))).toBe(stageParamsHash(stageParams(face, 'detect')));
    expect(paramsTable('detect', cfg)).toContain('| `preprocess.faceCrop` (handoff) | `null` |');
  });

  it('leave the report section to the report alone', () => {
    for (const name of STAGE_NAMES.filter((n) => n !== 'report')) {
      expect(paramPaths(cfg, name).filter((p) => p === 'report' || p.startsWith('report.')), name).toEqual([]);
    }
  });

  it('leave which folds run out of the train slice', () => {
    const a = stageParams(parseConfig({ data: { root: '/d' }, train: { folds: [0] } }), 'train');
    const b = stageParams(parseConfig({ data: { root: '/d' }, train: { folds: [0, 1, 2] } }), 'train');
    expect(hashJson(a)).toBe(hashJson(b));
    expect(a.train).not.toHaveProperty('folds');
    expect(stageParams(parseConfig({ data: { root: '/d' }, train: { folds: [2, 0, 2] } }), 'ensemble').folds).toEqual([0, 2]);
    expect(trainedFolds(cfg)).toEqual([0, 1, 2, 3, 4]);
  });

  it('each stage project has the Reads table its selector gives, in its README', () => {
    for (const name of STAGE_NAMES) {
      const readme = readFileSync(resolve(WORKSPACE_ROOT, 'packages', STAGES[name].project, 'README.md'), 'utf8');
      const { begin, end } = paramsMarkers(name);
      // a project may hold two stages' blocks: the end marker after this block's start
      const at = readme.indexOf(begin);
      const found = readme.slice(at, readme.indexOf(end, at) + end.length);
      expect(found, `packages/${STAGES[name].project}/README.md (run pnpm docs:gen)`).toBe(paramsTable(name, cfg));
    }
  });
});

describe('stageParamsHash', () => {
  it('is the same for a data root at another path (machines of a team), and changes with any other setting', () => {
    const here = stageParams(cfg, 'train');
    const elsewhere = stageParams(parseConfig({ data: { root: '/mnt/team/data' } }), 'train');
    expect(stageParamsHash(elsewhere)).toBe(stageParamsHash(here));
    expect(stageParamsHash(stageParams(parseConfig({ data: { root: '/d' }, seed: 1 }), 'train'))).not.toBe(stageParamsHash(here));
    // a slice without a root hashes as it is
    expect(stageParamsHash(stageParams(cfg, 'ensemble'))).toBe(hashJson(stageParams(cfg, 'ensemble')));
  });
});
