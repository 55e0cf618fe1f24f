import { describe, expect, it } from 'vitest';
import { hashJson, stableStringify } from './hash.ts';

describe('hashJson', () => {
  it('ignores key order', () => {
    expect(hashJson({ a: 1, b: [1, { c: 2, d: null }] })).toBe(hashJson({ b: [1, { d: null, c: 2 }], a: 1 }));
  });

  it('tells values apart and leaves out undefined members', () => {
    expect(hashJson({ a: 1 })).not.toBe(hashJson({ a: 2 }));
    expect(hashJson([1, 2])).not.toBe(hashJson([2, 1]));
    expect(stableStringify({ b: undefined, a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
  });
});
