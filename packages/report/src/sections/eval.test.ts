import { describe, expect, it } from 'vitest';
import { scoreClasses } from '@facemask/contracts';
import { absent, loaded } from '../loaded.ts';
import { evalSection, factorAccuracies } from './eval.ts';

describe('factorAccuracies', () => {
  it('counts each factor right from the confusion matrix (by hand)', () => {
    const m = Array.from({ length: 18 }, () => new Array<number>(18).fill(0));
    m[0]![0] = 2; // all right
    m[1]![0] = 1; // wear/male/30-59 as wear/male/<30: mask and gender right, age wrong
    m[13]![7] = 1; // not_wear/male/30-59 as incorrect/male/30-59: mask wrong
    expect(factorAccuracies(m)).toEqual({ mask: 3 / 4, gender: 1, age: 3 / 4 });
  });
});

describe('evalSection', () => {
  const sub = { path: '/w/submission/submission.csv', round: 1 as const, answers: loaded(new Map([['a', 0]])) };

  it('says the labels are unknown when the config names none', () => {
    const html = JSON.stringify(evalSection({ ...sub, score: null }, null));
    expect(html).toContain('Eval labels unknown');
  });

  it('shows the eval macro F1 when scored', () => {
    const s = evalSection({ ...sub, score: loaded(scoreClasses([0, 1, 12, 13], [0, 0, 12, 7])) }, '/d/eval_labels.csv');
    const html = s.blocks.map((b) => (b.kind === 'html' ? b.html : '')).join('');
    // F1: class 0 2/3, class 12 1, classes 1, 7, 13 zero -> (5/3) / 5
    expect(html).toContain('<b>0.3333</b> eval macro F1');
    expect(html).toContain('<b>50.0%</b> accuracy');
    expect(html).toContain('mask state 75.0%, gender 100.0%, age band 75.0%');
  });

  it('adds per-class F1, the confusion matrix and the worst eval photos when scored', () => {
    const worst = { list: loaded([{ id: 'b.jpg', trueCls: 1, predCls: 0, confidence: 0.6, trueProb: 0.1 }]), thumbs: new Map() };
    const s = evalSection({ ...sub, score: loaded(scoreClasses([0, 1], [0, 0])) }, '/d/eval_labels.csv', worst);
    expect(s.blocks.flatMap((b) => (b.kind === 'chart' ? [b.id] : []))).toEqual(['perclass-eval', 'confusion-eval']);
    const html = s.blocks.map((b) => (b.kind === 'html' ? b.html : '')).join('');
    expect(html).toContain('Most confidently wrong eval photos');
    expect(html).toContain('<code>b.jpg</code>');
  });

  it('draws no eval charts without labels', () => {
    expect(evalSection({ ...sub, score: null }, null).blocks.every((b) => b.kind === 'html')).toBe(true);
  });

  it('says why the score is missing', () => {
    const s = evalSection({ ...sub, answers: absent('submission not found'), score: absent('submission not found') }, '/d/eval_labels.csv');
    expect(JSON.stringify(s)).toContain('Eval score not available: submission not found');
  });
});
