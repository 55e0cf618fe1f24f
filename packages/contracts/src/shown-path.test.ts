import { describe, expect, it } from 'vitest';
import { shownPath } from './shown-path.ts';

describe('shownPath', () => {
  it('shows workspace paths relative to it and others by their last name only', () => {
    expect(shownPath('/ws/data/runs/demo/preprocess', '/ws')).toBe('data/runs/demo/preprocess');
    expect(shownPath('/ws', '/ws')).toBe('.');
    expect(shownPath('/home/me/photos/set1', '/ws')).toBe('…/set1');
    expect(shownPath('/wsx/data', '/ws')).toBe('…/data');
  });
});
