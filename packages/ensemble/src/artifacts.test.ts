import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ensembleArtifacts,
  ensembleEvalSchema,
  ensembleOofSchema,
  ensemblePaths,
  parseRound,
  trainPredictionsArtifact,
  trainRoundDir,
} from './artifacts.ts';
import { peaked, preds } from './test-utils/predictions.ts';

describe('ensemble artifacts', () => {
  it('lays out the round folders', () => {
    expect(ensemblePaths('/w', 2)).toEqual({
      dir: join('/w', 'ensemble', 'round2'),
      eval: join('/w', 'ensemble', 'round2', 'eval.json'),
      oof: join('/w', 'ensemble', 'round2', 'oof.json'),
      report: join('/w', 'ensemble', 'round2', 'report.json'),
      summary: join('/w', 'ensemble', 'round2', 'report.txt'),
    });
    expect(trainRoundDir('/w', 1)).toBe(join('/w', 'train', 'round1'));
  });

  it('names the Nx target of each round', () => {
    expect(ensembleArtifacts(1).eval.producedBy).toBe('ensemble:round1');
    expect(ensembleArtifacts(2).report.producedBy).toBe('ensemble:round2');
    expect(ensembleArtifacts(2).oof.kind).toBe('ensemble/oof');
    expect(trainPredictionsArtifact(2)).toMatchObject({ kind: 'train/predictions', producedBy: 'train:round2' });
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
