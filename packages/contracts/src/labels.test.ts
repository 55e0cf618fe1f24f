import { describe, expect, it } from 'vitest';
import { ageBand, className, decodeClass, encodeClass, maskOfKind, NUM_CLASSES, parseGender, PHOTO_KINDS } from './labels.ts';

describe('class scheme', () => {
  it('encodes mask*6 + gender*3 + age and decodes back for all 18 classes', () => {
    const seen = new Set<number>();
    for (const mask of [0, 1, 2] as const)
      for (const gender of [0, 1] as const)
        for (const band of [0, 1, 2] as const) {
          const c = encodeClass(mask, gender, band);
          expect(c).toBe(mask * 6 + gender * 3 + band);
          expect(decodeClass(c)).toEqual({ mask, gender, ageBand: band });
          seen.add(c);
        }
    expect(seen.size).toBe(NUM_CLASSES);
    expect(className(10)).toBe('incorrect/female/30-59');
    expect(() => decodeClass(18)).toThrow(/0\.\.17/);
  });

  it('bands ages with a configurable old-age threshold', () => {
    expect([29, 30, 57, 58, 59, 60].map((a) => ageBand(a))).toEqual([0, 1, 1, 1, 1, 2]);
    expect([57, 58, 59].map((a) => ageBand(a, 58))).toEqual([1, 2, 2]);
    expect(() => ageBand(Number.NaN)).toThrow(/invalid age/);
  });

  it('maps photo kinds to mask states and parses genders', () => {
    expect(PHOTO_KINDS.map(maskOfKind)).toEqual([0, 0, 0, 0, 0, 1, 2]);
    expect(parseGender('Female')).toBe(1);
    expect(parseGender('male')).toBe(0);
    expect(() => parseGender('x')).toThrow(/male.*female/);
  });
});
