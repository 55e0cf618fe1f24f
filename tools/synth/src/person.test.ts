import { ageBand } from '@facemask/contracts';
import { describe, expect, it } from 'vitest';
import { AGE_BAND_SHARES, FEMALE_SHARE, drawPerson, personFolderId, splitPeople } from './person.ts';

const N = 4000;
const people = Array.from({ length: N }, (_, i) => drawPerson(11, i + 1, 'subtle'));
const clear = Array.from({ length: N }, (_, i) => drawPerson(11, i + 1, 'clear'));
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

  it('depends only on (seed, id, cues), and cues change the look, never the labels', () => {
    expect(drawPerson(11, 17, 'subtle')).toEqual(people[16]);
    expect(drawPerson(12, 17, 'subtle')).not.toEqual(people[16]);
    expect(drawPerson(11, 17)).toEqual(people[16]);
    expect(drawPerson(11, 17, 'clear')).toEqual(clear[16]);
    for (let i = 0; i < N; i++) {
      expect([clear[i]!.gender, clear[i]!.age]).toEqual([people[i]!.gender, people[i]!.age]);
    }
    expect(clear.map((p) => p.look)).not.toEqual(people.map((p) => p.look));
  });

  it('with subtle cues, shows age through cues that rise with age but barely change from 29 to 31', () => {
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

  it('with subtle cues, shows gender through overlapping, continuous cues', () => {
    const men = people.filter((p) => p.gender === 0);
    const women = people.filter((p) => p.gender === 1);
    expect(mean(men.map((p) => p.look.masculinity))).toBeGreaterThan(mean(women.map((p) => p.look.masculinity)) + 0.25);
    expect(mean(women.map((p) => p.look.hair.length))).toBeGreaterThan(mean(men.map((p) => p.look.hair.length)) + 0.3);
    expect(women.some((p) => p.look.masculinity > Math.min(...men.map((q) => q.look.masculinity)))).toBe(true);
    expect(women.every((p) => p.look.beard.stubble === 0 && p.look.beard.full === 0)).toBe(true);
    const bearded = men.filter((p) => p.look.beard.stubble > 0).length / men.length;
    expect(bearded).toBeGreaterThan(0.25);
    expect(bearded).toBeLessThan(0.6);
    expect(people.every((p) => p.look.temples === 0 && p.look.eyeBags === 0 && p.look.crowsFeet === 0)).toBe(true);
  });

  it('with clear cues, switches the age cues on at the band boundaries', () => {
    const at = (lo: number, hi: number) => clear.filter((p) => p.age >= lo && p.age <= hi).map((p) => p.look);
    const young = at(18, 27);
    const middle = at(32, 57);
    const old = at(62, 75);
    expect(young.every((l) => l.temples < 0.1 && l.crowsFeet < 0.1 && l.hair.grey < 0.1)).toBe(true);
    expect(middle.every((l) => l.temples > 0.9 && l.crowsFeet > 0.9 && l.hair.grey < 0.1)).toBe(true);
    expect(old.every((l) => l.temples > 0.9 && l.hair.grey > 0.85)).toBe(true);
    // Only ages next to a boundary are ever ambiguous.
    const ambiguous = clear.filter((p) => (p.look.temples > 0.1 && p.look.temples < 0.9) || (p.look.hair.grey > 0.1 && p.look.hair.grey < 0.85));
    expect(ambiguous.length).toBeGreaterThan(0);
    expect(ambiguous.every((p) => (p.age >= 27 && p.age <= 32) || (p.age >= 57 && p.age <= 62))).toBe(true);
  });

  it('with clear cues, gives men short hair and heavy brows and most women long hair', () => {
    const men = clear.filter((p) => p.gender === 0).map((p) => p.look);
    const women = clear.filter((p) => p.gender === 1).map((p) => p.look);
    expect(men.every((l) => l.hair.length <= 0.22 && l.brows.thickness >= 6.5)).toBe(true);
    expect(women.every((l) => l.brows.thickness <= 3.5)).toBe(true);
    const longHaired = women.filter((l) => l.hair.length >= 0.45).length / women.length;
    expect(longHaired).toBeGreaterThan(0.95);
    expect(longHaired).toBeLessThan(1);
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
