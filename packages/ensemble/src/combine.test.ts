import { describe, expect, it } from 'vitest';
import { predictionsSchema } from '@facemask/contracts';
import { combine, HARD_TIE_NUDGE } from './combine.ts';
import { EnsembleError } from './errors.ts';
import { argmaxRow, predictedClasses } from '@facemask/contracts';
import { peaked, preds, row, rowOf } from '@facemask/contracts/testing';

describe('combine: soft voting', () => {
  it('averages probabilities by id even when members list ids in different orders', () => {
    const a = preds('f0', 'eval', ['x', 'y'], [row({ 1: 0.6, 2: 0.4 }), row({ 3: 1 })]);
    const b = preds('f1', 'eval', ['y', 'x'], [row({ 4: 1 }), row({ 1: 0.2, 2: 0.8 })]);
    const out = combine([a, b], { method: 'soft' });
    expect(out.ids).toEqual(['x', 'y']);
    expect(out.split).toBe('eval');
    expect(rowOf(out, 'x')[1]).toBeCloseTo(0.4, 12);
    expect(rowOf(out, 'x')[2]).toBeCloseTo(0.6, 12);
    expect(rowOf(out, 'y')[3]).toBeCloseTo(0.5, 12);
    expect(rowOf(out, 'y')[4]).toBeCloseTo(0.5, 12);
    expect(predictionsSchema.safeParse(out).success).toBe(true);
  });

  it('weights members, normalising the weights', () => {
    const a = preds('f0', 'eval', ['x'], [row({ 0: 1 })]);
    const b = preds('f1', 'eval', ['x'], [row({ 5: 1 })]);
    const out = combine([a, b], { method: 'soft', weights: [3, 1] });
    expect(out.probs[0]).toBeCloseTo(0.75, 12);
    expect(out.probs[5]).toBeCloseTo(0.25, 12);
    const zeroed = combine([a, b], { method: 'soft', weights: [0, 2] });
    expect(argmaxRow(zeroed.probs, 0)).toBe(5);
  });

  it('follows an explicit id order and names the source', () => {
    const a = preds('f0', 'eval', ['x', 'y', 'z'], [peaked(0, 0.9), peaked(1, 0.9), peaked(2, 0.9)]);
    const out = combine([a], { method: 'soft', ids: ['z', 'x', 'y'], source: 'ensemble/round1' });
    expect(out.ids).toEqual(['z', 'x', 'y']);
    expect(predictedClasses(out)).toEqual([2, 0, 1]);
    expect(out.source).toBe('ensemble/round1');
  });

  it('keeps labels aligned by id and rejects members that disagree on them', () => {
    const a = preds('f0', 'oof', ['x', 'y'], [peaked(0, 0.9), peaked(1, 0.9)], [0, 1]);
    const b = preds('f0-flip', 'oof', ['y', 'x'], [peaked(1, 0.8), peaked(0, 0.8)], [1, 0]);
    expect(combine([a, b], { method: 'soft' }).labels).toEqual([0, 1]);
    const c = preds('other', 'oof', ['y', 'x'], [peaked(1, 0.8), peaked(0, 0.8)], [1, 7]);
    expect(() => combine([a, c], { method: 'soft' })).toThrow(/other labels x as class 7 but f0 says 0/);
    const unlabelled = preds('f1', 'eval', ['x'], [peaked(0, 1)]);
    expect(combine([unlabelled], { method: 'soft' }).labels).toBeNull();
  });
});

describe('combine: hard voting', () => {
  it('takes the majority of argmaxes and writes vote shares', () => {
    const m = [
      preds('a', 'eval', ['x'], [peaked(3, 0.5)]),
      preds('b', 'eval', ['x'], [peaked(3, 0.4)]),
      preds('c', 'eval', ['x'], [peaked(7, 0.99)]),
    ];
    const out = combine(m, { method: 'hard' });
    expect(out.probs[3]).toBeCloseTo(2 / 3, 12);
    expect(out.probs[7]).toBeCloseTo(1 / 3, 12);
    expect(out.probs.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(argmaxRow(out.probs, 0)).toBe(3);
    // soft voting would follow the confident member instead
    expect(argmaxRow(combine(m, { method: 'soft' }).probs, 0)).toBe(7);
  });

  it('breaks a vote tie by summed probability and keeps argmax on the winner', () => {
    const m = [preds('a', 'eval', ['x'], [row({ 2: 0.5, 9: 0.45 })]), preds('b', 'eval', ['x'], [row({ 9: 0.6, 2: 0.1 })])];
    const out = combine(m, { method: 'hard' });
    expect(argmaxRow(out.probs, 0)).toBe(9);
    expect(out.probs[9]).toBeCloseTo(0.5 + HARD_TIE_NUDGE, 12);
    expect(out.probs[2]).toBeCloseTo(0.5 - HARD_TIE_NUDGE, 12);
    expect(out.probs.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it('falls back to the lower class id when votes and summed probabilities tie', () => {
    const m = [preds('a', 'eval', ['x'], [row({ 4: 0.5, 11: 0.5 })]), preds('b', 'eval', ['x'], [row({ 11: 0.5, 4: 0.4, 0: 0.1 })])];
    // a votes 4 (lowest index of its tie), b votes 11; summed 4: 0.9, 11: 1.0 -> 11
    expect(argmaxRow(combine(m, { method: 'hard' }).probs, 0)).toBe(11);
    const even = [preds('a', 'eval', ['x'], [row({ 4: 0.6, 11: 0.4 })]), preds('b', 'eval', ['x'], [row({ 11: 0.6, 4: 0.4 })])];
    expect(argmaxRow(combine(even, { method: 'hard' }).probs, 0)).toBe(4);
  });

  it('treats weight sums that differ only by rounding as a tie', () => {
    // 0.1 + 0.2 !== 0.3 in floating point; the summed probability must decide, not the rounding.
    const m = [
      preds('a', 'eval', ['x'], [peaked(1, 0.4)]),
      preds('b', 'eval', ['x'], [peaked(1, 0.4)]),
      preds('c', 'eval', ['x'], [peaked(6, 0.9)]),
    ];
    expect(argmaxRow(combine(m, { method: 'hard', weights: [0.1, 0.2, 0.3] }).probs, 0)).toBe(6);
  });

  it('uses weights as vote strengths', () => {
    const m = [preds('a', 'eval', ['x'], [peaked(1, 0.9)]), preds('b', 'eval', ['x'], [peaked(1, 0.9)]), preds('c', 'eval', ['x'], [peaked(6, 0.9)])];
    const out = combine(m, { method: 'hard', weights: [1, 1, 3] });
    expect(argmaxRow(out.probs, 0)).toBe(6);
    expect(out.probs[6]).toBeCloseTo(0.6, 12);
  });
});

describe('combine: errors', () => {
  const good = preds('round1/fold-0', 'eval', ['a', 'b', 'c'], [peaked(0, 1), peaked(1, 1), peaked(2, 1)]);

  it('rejects an empty member list', () => {
    expect(() => combine([], { method: 'soft' })).toThrow(EnsembleError);
    expect(() => combine([], { method: 'soft' })).toThrow(/no predictions to combine/);
  });

  it('names the member that lacks ids, with examples', () => {
    const short = preds('round1/fold-3', 'eval', ['a'], [peaked(0, 1)]);
    expect(() => combine([good, short], { method: 'soft' })).toThrow(/round1\/fold-3 eval predictions lack 2 ids, e\.g\. b, c: retrain that fold/);
    let message = '';
    try {
      combine([good, short], { method: 'soft' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toMatch(/round1\/fold-0 eval predictions/);
  });

  it('names ids beyond an explicit id list', () => {
    expect(() => combine([good], { method: 'soft', ids: ['a', 'b'] })).toThrow(/have 1 unexpected ids, e\.g\. c/);
    expect(() => combine([good], { method: 'soft', ids: ['a', 'b', 'c', 'd'] })).toThrow(/lack 1 ids, e\.g\. d/);
    expect(() => combine([good], { method: 'soft', ids: ['a', 'a', 'b', 'c'] })).toThrow(/lists 1 ids twice/);
  });

  it('rejects a weights list of the wrong length or with bad values', () => {
    expect(() => combine([good, good], { method: 'soft', weights: [1] })).toThrow(/1 weights for 2 predictions/);
    expect(() => combine([good], { method: 'soft', weights: [-1] })).toThrow(/weight 0 is -1/);
    expect(() => combine([good], { method: 'hard', weights: [Number.NaN] })).toThrow(/weight 0 is NaN/);
    expect(() => combine([good, good], { method: 'soft', weights: [0, 0] })).toThrow(/all 0/);
  });

  it('rejects mixing splits, repeated ids and wrongly sized probability arrays', () => {
    const oof = preds('round1/fold-0', 'oof', ['a', 'b', 'c'], [peaked(0, 1), peaked(1, 1), peaked(2, 1)], [0, 1, 2]);
    expect(() => combine([good, oof], { method: 'soft' })).toThrow(/holds oof predictions but round1\/fold-0 holds eval/);
    const twice = preds('dup', 'eval', ['a', 'b', 'a'], [peaked(0, 1), peaked(1, 1), peaked(2, 1)]);
    expect(() => combine([twice], { method: 'soft' })).toThrow(/dup eval predictions list 1 ids more than once, e\.g\. a/);
    const ragged = { ...good, source: 'ragged', probs: good.probs.slice(1) };
    expect(() => combine([ragged], { method: 'soft' })).toThrow(/ragged eval predictions have 53 probabilities for 3 ids/);
  });
});
