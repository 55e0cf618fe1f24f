import { describe, expect, it } from 'vitest';
import { parseAnswer } from './answers.ts';

describe('parseAnswer', () => {
  it('reads class ids 0..17, tolerating surrounding spaces', () => {
    expect(parseAnswer('0')).toEqual({ cls: 0 });
    expect(parseAnswer('17')).toEqual({ cls: 17 });
    expect(parseAnswer(' 4 ')).toEqual({ cls: 4 });
  });
  it('explains what is wrong with anything else', () => {
    expect(parseAnswer('')).toEqual({ error: 'empty' });
    expect(parseAnswer('  ')).toEqual({ error: 'empty' });
    expect(parseAnswer('18')).toEqual({ error: 'not in 0..17' });
    for (const s of ['3.0', '-1', '+3', 'x', '1e1']) expect(parseAnswer(s)).toEqual({ error: 'not an integer' });
  });
});
