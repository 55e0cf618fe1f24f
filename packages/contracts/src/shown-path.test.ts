import { describe, expect, it } from 'vitest';
import { shownPath, shownPaths } from './shown-path.ts';

describe('shownPath', () => {
  it('shows workspace paths relative to it and others by their last name only', () => {
    expect(shownPath('/ws/data/runs/demo/preprocess', '/ws')).toBe('data/runs/demo/preprocess');
    expect(shownPath('/ws', '/ws')).toBe('.');
    expect(shownPath('/home/me/photos/set1', '/ws')).toBe('…/set1');
    expect(shownPath('/wsx/data', '/ws')).toBe('…/data');
  });
});

describe('shownPaths', () => {
  it('shows every workspace path of a message relative to it, and leaves the rest', () => {
    expect(shownPaths('/ws/data/.cache/x/a.u8 has sha256 1234, not /ws/data/b (see /wsx/c)', '/ws')).toBe('data/.cache/x/a.u8 has sha256 1234, not data/b (see /wsx/c)');
  });
});
