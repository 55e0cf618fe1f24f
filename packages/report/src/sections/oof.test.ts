import { describe, expect, it } from 'vitest';
import { buildReport } from '@facemask/ensemble';
import { peaked, preds } from '@facemask/contracts/testing';
import { absent, loaded } from '../loaded.ts';
import { classLabels, factorBlocks, oofSection } from './oof.ts';

const oof = preds('ensemble/round1', 'oof', ['a', 'b', 'c'], [peaked(0, 0.9), peaked(6, 0.8), peaked(17, 0.7)], [0, 6, 12]);
const ev = preds('ensemble/round1', 'eval', ['e'], [peaked(1, 0.5)]);
const report = buildReport({ round: 1, method: 'soft', weights: null, folds: [{ fold: 0, oof, eval: ev }], oof, eval: ev });

describe('oofSection', () => {
  it('shows the scores, per-class F1, the 18x18 matrix and three factor matrices per round', () => {
    const s = oofSection([{ round: 1, folds: [], report: loaded(report), oof: loaded(oof) }]);
    const ids: string[] = [];
    const visit = (b: (typeof s.blocks)[number]) => (b.kind === 'chart' ? ids.push(b.id) : b.kind === 'row' ? b.blocks.forEach(visit) : undefined);
    s.blocks.forEach(visit);
    expect(ids).toEqual(['perclass-r1', 'confusion-r1', 'factor-mask-r1', 'factor-gender-r1', 'factor-age-r1']);
    const html = JSON.stringify(s);
    // 2 of 3 right; F1: classes 0 and 6 are 1, 12 and 17 are 0 -> macro 0.5
    expect(html).toContain('<b>0.5000</b> macro F1');
    expect(html).toContain('<b>66.7%</b> accuracy');
  });

  it('says what is missing when the round was not ensembled', () => {
    const s = oofSection([{ round: 2, folds: [], report: absent('ensemble/report artifact not found at /w/ensemble/round2/report.json: run `nx run ensemble:round2` first'), oof: absent('x') }]);
    expect(JSON.stringify(s)).toContain('Ensemble report not available: ensemble/report artifact not found');
  });

  it('keeps the ensemble scores when only the out-of-fold file is missing', () => {
    const blocks = factorBlocks(1, absent('ensemble/oof artifact not found'));
    expect(JSON.stringify(blocks)).toContain('Per-factor matrices not available: ensemble/oof artifact not found');
  });
});

describe('classLabels', () => {
  it('labels the rows with id and name', () => {
    expect(classLabels()[0]).toBe('0 wear/male/<30');
    expect(classLabels()[17]).toBe('17 not_wear/female/60+');
  });
});
