import { MODEL_ARCHS } from '@facemask/contracts';
import { describe, expect, it } from 'vitest';
import { listModels } from './registry.ts';

describe('the architectures a config may name', () => {
  it('are exactly the ones the registry builds (contracts keeps the names, tfjs-free)', () => {
    expect(listModels()).toEqual([...MODEL_ARCHS].sort());
  });
});
