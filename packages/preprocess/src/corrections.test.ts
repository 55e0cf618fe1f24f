import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCorrections, BUILTIN_CORRECTIONS, correctionsPath, readCorrections } from './corrections.ts';
import { Issues } from './issues.ts';
import { type Person } from './labels.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facemask-corr-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function csv(name: string, text: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, text);
  return p;
}

const person = (id: string, gender: 0 | 1, age: number): Person => ({
  id,
  folder: `${id}_${gender ? 'female' : 'male'}_Asian_${age}`,
  path: `/x/${id}`,
  race: 'Asian',
  gender,
  age,
  photos: [],
});

describe('corrections', () => {
  it('ships the published fixes for the real set', async () => {
    expect(correctionsPath('builtin')).toBe(BUILTIN_CORRECTIONS);
    const c = await readCorrections(BUILTIN_CORRECTIONS);
    const male = c.filter((x) => x.field === 'gender' && x.value === 'male').map((x) => x.id);
    const female = c.filter((x) => x.field === 'gender' && x.value === 'female').map((x) => x.id);
    const swap = c.filter((x) => x.field === 'swap_incorrect_normal').map((x) => x.id);
    expect(male.sort()).toEqual(['006359', '006360', '006361', '006362', '006363', '006364']);
    expect(female.sort()).toEqual(['001498-1', '004432']);
    expect(swap.sort()).toEqual(['000020', '004418', '005227']);
    expect(c).toHaveLength(11);
  });

  it('applies gender, age and swap, logs each and leaves the input untouched', async () => {
    const path = await csv('c.csv', 'id,field,value\nA,gender,male\nA,age,61\nB,swap_incorrect_normal,TRUE\n');
    const people = [person('A', 1, 58), person('B', 0, 20)];
    const lines: string[] = [];
    const r = applyCorrections(people, await readCorrections(path), path, new Issues('error'), (l) => lines.push(l));
    expect(r.people[0]).toMatchObject({ gender: 0, age: 61, corrections: ['gender:female->male', 'age:58->61'] });
    expect(r.people[1]).toMatchObject({ swapIncorrectNormal: true, corrections: ['swap_incorrect_normal'] });
    expect(r.applied).toEqual([
      { id: 'A', field: 'gender', from: 'female', to: 'male' },
      { id: 'A', field: 'age', from: '58', to: '61' },
      { id: 'B', field: 'swap_incorrect_normal', from: 'false', to: 'true' },
    ]);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('gender:female->male');
    expect(people[0]).toMatchObject({ gender: 1, age: 58 });
  });

  it('warns (not errors) about an id not in the data, and about a no-op', async () => {
    const path = await csv('w.csv', 'id,field,value,note\nZZZ,gender,male,real-set id\nA,gender,female,already\n');
    const issues = new Issues('error');
    const r = applyCorrections([person('A', 1, 30)], await readCorrections(path), path, issues);
    expect(r.applied).toEqual([]);
    expect(r.ignored.map((x) => x.id)).toEqual(['ZZZ', 'A']);
    expect(issues.warnings.join('\n')).toMatch(/id ZZZ .* no person with this id/);
  });

  it('rejects an unknown field, a bad value, a duplicate and a wrong header, naming the file', async () => {
    const bad = {
      'f.csv': ['id,field,value\nA,race,Asian\n', /f\.csv: row 1 \(id A\) has field "race".*Fix: use one of gender, age, swap_incorrect_normal/],
      'v.csv': ['id,field,value\nA,gender,other\n', /v\.csv: row 1 .*gender value "other".*male or female/],
      'a.csv': ['id,field,value\nA,age,old\n', /a\.csv: .*age value "old"/],
      'd.csv': ['id,field,value\nA,age,3\nA,age,4\n', /d\.csv: row 2 .*repeats the age correction of row 1/],
      'h.csv': ['person,what,to\nA,age,3\n', /h\.csv: wrong header.*Fix: .*id,field,value/],
    } as const;
    for (const [name, [text, re]] of Object.entries(bad)) {
      await expect(readCorrections(await csv(name, text))).rejects.toThrow(re);
    }
  });
});
