import { describe, expect, it } from 'vitest';
import { parseConfig, stageParams, targets } from '@facemask/contracts';
import { taskRunPaths } from './run-records.ts';

const params = (input: object) => stageParams(parseConfig({ data: { root: '/d' }, ...input }), 'report');

describe('the tasks whose run records the report shows', () => {
  it('are every task of the run, detection and features included, in the order they run', () => {
    const paths = taskRunPaths(params({ preprocess: { folds: 2, faceCrop: {} }, train: { mode: 'features' } }), '/w');
    expect(paths.map((p) => p.target)).toEqual([
      targets.detect,
      targets.preprocess,
      targets.trainFeatures,
      targets.trainFold(1, 0),
      targets.trainFold(1, 1),
      targets.ensemble(1),
      targets.submit,
    ]);
    expect(paths[0]!.path).toBe('/w/detect/run.json');
    expect(paths[2]!.path).toBe('/w/train/features/run.json');
  });

  it('follow the trained folds and the rounds the config runs', () => {
    const paths = taskRunPaths(params({ preprocess: { folds: 3 }, train: { folds: [0, 2] }, pseudo: { enabled: true } }), '/w');
    expect(paths.map((p) => p.target)).toEqual([
      targets.preprocess,
      targets.trainFold(1, 0),
      targets.trainFold(1, 2),
      targets.ensemble(1),
      targets.pseudoLabel,
      targets.trainFold(2, 0),
      targets.trainFold(2, 2),
      targets.ensemble(2),
      targets.submit,
    ]);
  });
});
