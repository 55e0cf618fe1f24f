import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workLayout } from '../layout.ts';
import { parseRound } from '../targets.ts';
import { peaked, preds } from '../testing/predictions.ts';
import { detectionsArtifact } from './detect.ts';
import { ensembleArtifacts, ensembleEvalSchema, ensembleOofSchema } from './ensemble.ts';
import { foldArtifacts } from './train.ts';

describe('artifact layout and specs', () => {
  it('lays out the round folders', () => {
    expect(workLayout.ensemble('/w', 2)).toEqual({
      dir: join('/w', 'ensemble', 'round2'),
      eval: join('/w', 'ensemble', 'round2', 'eval.json'),
      oof: join('/w', 'ensemble', 'round2', 'oof.json'),
      report: join('/w', 'ensemble', 'round2', 'report.json'),
      summaryText: join('/w', 'ensemble', 'round2', 'report.txt'),
      run: join('/w', 'ensemble', 'round2', 'run.json'),
    });
    expect(workLayout.report('/w')).toEqual({
      dir: join('/w', 'report'),
      index: join('/w', 'report', 'index.html'),
      thumbs: join('/w', 'report', 'thumbs'),
      run: join('/w', 'report', 'run.json'),
    });
    expect(workLayout.trainRound('/w', 1)).toBe(join('/w', 'train', 'round1'));
    expect(workLayout.detect('/w')).toEqual({
      dir: join('/w', 'detect'),
      detections: join('/w', 'detect', 'detections.json'),
      summaryText: join('/w', 'detect', 'summary.txt'),
      run: join('/w', 'detect', 'run.json'),
    });
    expect(workLayout.fold('/w', 2, 3).eval).toBe(join('/w', 'train', 'round2', 'fold-3', 'predictions-eval.json'));
  });

  it('names the Nx target that writes each artifact', () => {
    expect(detectionsArtifact).toMatchObject({ kind: 'detect/detections', producedBy: 'detect:run' });
    expect(ensembleArtifacts(1).eval.producedBy).toBe('ensemble:round1');
    expect(ensembleArtifacts(2).report.producedBy).toBe('ensemble:round2');
    expect(ensembleArtifacts(2).oof.kind).toBe('ensemble/oof');
    expect(foldArtifacts(2, 4).predictions).toMatchObject({ kind: 'train/predictions', producedBy: 'train:round2-fold-4' });
  });

  it('checks the split of eval and oof artifacts', () => {
    const ev = preds('ensemble/round1', 'eval', ['a'], [peaked(1, 1)]);
    const oof = preds('ensemble/round1', 'oof', ['a'], [peaked(1, 1)], [1]);
    expect(ensembleEvalSchema.safeParse(ev).success).toBe(true);
    expect(ensembleEvalSchema.safeParse(oof).success).toBe(false);
    expect(ensembleOofSchema.safeParse(oof).success).toBe(true);
    expect(ensembleOofSchema.safeParse({ ...oof, labels: null }).success).toBe(false);
  });

  it('parses rounds', () => {
    expect(parseRound('1')).toBe(1);
    expect(parseRound(2)).toBe(2);
    expect(() => parseRound('3')).toThrow(/round must be 1 or 2, got "3"/);
    expect(() => parseRound('x')).toThrow(/round must be 1 or 2/);
  });
});
