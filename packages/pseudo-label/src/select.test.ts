import { describe, expect, it } from 'vitest';
import { pseudoLabelsSchema } from '@facemask/contracts';
import { disabledPseudoLabels, formatPseudoLabels, selectPseudoLabels } from './select.ts';
import { peaked, preds } from '@facemask/contracts/testing';

const ev = preds(
  'ensemble/round1',
  'eval',
  ['e5', 'e1', 'e2', 'e3', 'e4', 'e6'],
  [peaked(3, 0.95), peaked(3, 0.99), peaked(3, 0.95), peaked(7, 0.5), peaked(7, 0.9), peaked(0, 0.89999)],
);

describe('selectPseudoLabels', () => {
  it('keeps photos whose top probability reaches the threshold, in prediction order', () => {
    const s = selectPseudoLabels(ev, { threshold: 0.9 });
    expect(s.samples.map((x) => x.id)).toEqual(['e5', 'e1', 'e2', 'e4']);
    expect(s.samples[3]).toEqual({ id: 'e4', cls: 7, confidence: 0.9 });
    expect(s.counts[3]).toBe(3);
    expect(s.counts[7]).toBe(1);
    expect(s.counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(s).toMatchObject({ enabled: true, source: 'ensemble/round1', threshold: 0.9, maxPerClass: null, considered: 6 });
    expect(pseudoLabelsSchema.safeParse(s).success).toBe(true);
  });

  it('caps each class at the most confident, breaking ties by id', () => {
    const s = selectPseudoLabels(ev, { threshold: 0.9, maxPerClass: 2 });
    // class 3: e1 (0.99) then e2 and e5 tie at 0.95 -> e2 wins on id; order stays the prediction order
    expect(s.samples.map((x) => x.id)).toEqual(['e1', 'e2', 'e4']);
    expect(s.counts[3]).toBe(2);
    const reversed = preds('r', 'eval', [...ev.ids].reverse(), [...Array(ev.ids.length).keys()].reverse().map((i) => ev.probs.slice(i * 18, i * 18 + 18)));
    expect(selectPseudoLabels(reversed, { threshold: 0.9, maxPerClass: 2 }).samples.map((x) => x.id).sort()).toEqual(['e1', 'e2', 'e4']);
  });

  it('keeps everything at threshold 0 and nothing above every confidence', () => {
    expect(selectPseudoLabels(ev, { threshold: 0 }).samples).toHaveLength(6);
    const none = selectPseudoLabels(ev, { threshold: 1 });
    expect(none.samples).toHaveLength(0);
    expect(none.counts.every((c) => c === 0)).toBe(true);
  });

  it('rejects bad options, oof predictions and repeated ids', () => {
    expect(() => selectPseudoLabels(ev, { threshold: 1.5 })).toThrow(/threshold 1.5 is not in \[0, 1\]/);
    expect(() => selectPseudoLabels(ev, { threshold: Number.NaN })).toThrow(/config\.pseudo\.threshold/);
    expect(() => selectPseudoLabels(ev, { threshold: 0.5, maxPerClass: 0 })).toThrow(/maxPerClass 0 is not a positive integer/);
    expect(() => selectPseudoLabels(ev, { threshold: 0.5, maxPerClass: 2.5 })).toThrow(/maxPerClass 2.5/);
    const oof = preds('round1/fold-0', 'oof', ['a'], [peaked(1, 1)], [1]);
    expect(() => selectPseudoLabels(oof, { threshold: 0.5 })).toThrow(/holds oof predictions: pseudo-labels come from eval predictions/);
    const twice = preds('x', 'eval', ['a', 'a'], [peaked(1, 1), peaked(1, 1)]);
    expect(() => selectPseudoLabels(twice, { threshold: 0.5 })).toThrow(/more than once/);
  });

  it('formats a summary with counts, or says it is disabled', () => {
    const text = formatPseudoLabels(selectPseudoLabels(ev, { threshold: 0.9, maxPerClass: 2 }));
    expect(text).toMatch(/kept 3 of 6 eval photos from ensemble\/round1 \(top probability >= 0.9, at most 2 per class\)/);
    expect(text).toMatch(/per class 0\.\.17: 0 0 0 2 0 0 0 1 0/);
    expect(formatPseudoLabels(disabledPseudoLabels(0.9))).toMatch(/disabled/);
    expect(text).not.toMatch(/warning/);
  });

  it('warns when no photo reaches the threshold, since round 2 then learns nothing new', () => {
    const none = selectPseudoLabels(ev, { threshold: 1 });
    expect(none.samples).toEqual([]);
    expect(formatPseudoLabels(none)).toMatch(/warning: no eval photo reached the threshold.*lower config\.pseudo\.threshold/);
  });
});

describe('pseudoLabelsSchema', () => {
  const ok = selectPseudoLabels(ev, { threshold: 0.9 });
  it('accepts a disabled empty set', () => {
    expect(pseudoLabelsSchema.safeParse(disabledPseudoLabels(0.8, 5)).success).toBe(true);
  });
  it('rejects inconsistent sets', () => {
    const bad = (patch: object) => pseudoLabelsSchema.safeParse({ ...ok, ...patch }).success;
    expect(bad({ enabled: false })).toBe(false);
    expect(bad({ counts: ok.counts.map((c, i) => (i === 0 ? c + 1 : c)) })).toBe(false);
    expect(bad({ samples: [...ok.samples, ok.samples[0]], counts: ok.counts.map((c, i) => (i === 3 ? c + 1 : c)) })).toBe(false);
    expect(bad({ threshold: 0.96 })).toBe(false);
    expect(bad({ considered: 2 })).toBe(false);
    expect(bad({ maxPerClass: 1 })).toBe(false);
  });
});
