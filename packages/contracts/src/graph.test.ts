import { describe, expect, it } from 'vitest';
import { parseConfig } from './config/index.ts';
import { pipelineGraph, tasksRunBy } from './graph.ts';
import { targets } from './targets.ts';

const graph = (input: object) => pipelineGraph(parseConfig({ data: { root: '/d', work: '/w/work' }, ...input }), '/w');

describe('tasksRunBy', () => {
  it('runs what the target depends on, not the targets laid out for other settings', () => {
    const g = graph({ preprocess: { folds: 3 }, train: { folds: [0, 2] } });
    // every fold of both rounds is laid out (graph.ts says why); the report needs two folds of round 1
    expect(g.tasks.filter((t) => t.stage === 'train')).toHaveLength(6);
    expect(tasksRunBy(g, targets.report).map((t) => t.id)).toEqual([
      targets.preprocess,
      targets.trainFold(1, 0),
      targets.trainFold(1, 2),
      targets.ensemble(1),
      targets.submit,
      targets.report,
    ]);
  });

  it('follows pseudo-labelling into round 2, and detection before preprocess', () => {
    const ids = tasksRunBy(graph({ preprocess: { folds: 2, faceCrop: {} }, pseudo: { enabled: true } }), targets.submit).map((t) => t.id);
    expect(ids).toEqual([
      targets.detect,
      targets.preprocess,
      targets.trainFold(1, 0),
      targets.trainFold(1, 1),
      targets.ensemble(1),
      targets.pseudoLabel,
      targets.trainFold(2, 0),
      targets.trainFold(2, 1),
      targets.ensemble(2),
      targets.submit,
    ]);
  });

  it('names a target the graph lacks', () => {
    expect(() => tasksRunBy(graph({}), 'train:round9-fold-0')).toThrow(/no task train:round9-fold-0/);
  });
});
