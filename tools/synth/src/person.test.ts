import { ageBand } from '@facemask/core';
import { describe, expect, it } from 'vitest';
import { AGE_BAND_SHARES, FEMALE_SHARE, drawPerson, personFolderId, splitPeople } from './person.ts';

const N = 4000;
const people = Array.from({ length: N }, (_, i) => drawPerson(11, i + 1));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

describe('drawPerson', () => {
  it('draws ages 18..75 with the spec band shares and ~60% women', () => {
    expect(people.every((p) => Number.isInteger(p.age) && p.age >= 18 && p.age <= 75)).toBe(true);
    const female = people.filter((p) => p.gender === 1).length / N;
    expect(Math.abs(female - FEMALE_SHARE)).toBeLessThan(0.03);
    for (const band of [0, 1, 2] as const) {
      const share = people.filter((p) => ageBand(p.age) === band).length / N;
      expect(Math.abs(share - AGE_BAND_SHARES[band])).toBeLessThan(0.03);
    }
    expect(Math.min(...people.map((p) => p.age))).toBe(18);
    expect(Math.max(...people.map((p) => p.age))).toBe(75);
  });

  it('depends only on (seed, id)', () => {
    expect(drawPerson(11, 17)).toEqual(people[16]);
    expect(drawPerson(12, 17)).not.toEqual(people[16]);
  });

  it('shows age through cues that rise with age but barely change from 29 to 31', () => {
    const byBand = [0, 1, 2].map((b) => people.filter((p) => ageBand(p.age) === b));
    const grey = byBand.map((g) => mean(g.map((p) => p.look.hair.grey)));
    const wrinkles = byBand.map((g) => mean(g.map((p) => p.look.wrinkles)));
    expect(grey[0]!).toBeLessThan(grey[1]!);
    expect(grey[1]!).toBeLessThan(grey[2]!);
    expect(wrinkles[0]!).toBeLessThan(wrinkles[1]!);
    expect(wrinkles[1]!).toBeLessThan(wrinkles[2]!);
    const at = (age: number) => people.filter((p) => p.age === age).map((p) => p.look.wrinkles);
    const w29 = at(29);
    const w31 = at(31);
    expect(Math.abs(mean(w31) - mean(w29))).toBeLessThan(0.12);
    // The ranges overlap: some 29-year-olds look older than some 31-year-olds.
    expect(Math.max(...w29)).toBeGreaterThan(Math.min(...w31));
  });

  it('shows gender through overlapping, continuous cues', () => {
    const men = people.filter((p) => p.gender === 0);
    const women = people.filter((p) => p.gender === 1);
    expect(mean(men.map((p) => p.look.masculinity))).toBeGreaterThan(mean(women.map((p) => p.look.masculinity)) + 0.25);
    expect(mean(women.map((p) => p.look.hair.length))).toBeGreaterThan(mean(men.map((p) => p.look.hair.length)) + 0.3);
    expect(women.some((p) => p.look.masculinity > Math.min(...men.map((q) => q.look.masculinity)))).toBe(true);
    expect(women.every((p) => p.look.beard.stubble === 0 && p.look.beard.full === 0)).toBe(true);
    const bearded = men.filter((p) => p.look.beard.stubble > 0).length / men.length;
    expect(bearded).toBeGreaterThan(0.25);
    expect(bearded).toBeLessThan(0.6);
  });
});

describe('splitPeople', () => {
  it('sends an exact share to eval, disjoint and covering all ids', () => {
    const s = splitPeople(5, 100, 0.4);
    expect(s.eval).toHaveLength(40);
    expect(s.train).toHaveLength(60);
    expect([...s.train, ...s.eval].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(splitPeople(5, 100, 0.4)).toEqual(s);
    expect(splitPeople(6, 100, 0.4)).not.toEqual(s);
    expect(splitPeople(5, 5, 0.4).eval).toHaveLength(2);
  });
});

describe('personFolderId', () => {
  it('zero-pads to 6 digits and rejects ids out of range', () => {
    expect(personFolderId(1)).toBe('000001');
    expect(personFolderId(123456)).toBe('123456');
    expect(() => personFolderId(0)).toThrow(/1\.\.999999/);
  });
});
