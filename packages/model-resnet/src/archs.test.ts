import { ARCH_FACTS, MODEL_ARCHS, SMALLEST_INPUT } from '@facemask/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, listModels } from './registry.ts';
import { useBackend } from './test-utils/backend.ts';

// building runs only the weights' initialisers: any engine will do
beforeAll(async () => {
  await useBackend('cpu');
});

describe('the architectures a config may name', () => {
  it('are exactly the ones the registry builds (contracts keeps the names, tfjs-free)', () => {
    expect(listModels()).toEqual([...MODEL_ARCHS].sort());
  });

  it.each(MODEL_ARCHS)('%s takes a width multiplier exactly when contracts says its width scales (the config check refuses it otherwise)', async (arch) => {
    const built = createModel(arch, { inputHeight: 64, inputWidth: 64, widthMultiplier: 0.5 }, { log: () => {} }).then((m) => {
      m.dispose();
      return 'built';
    });
    if (ARCH_FACTS[arch].scalableWidth) await expect(built).resolves.toBe('built');
    else await expect(built).rejects.toThrow(/fixed widths/);
  });

  it("refuses in its options an input below every architecture's smallest (contracts' SMALLEST_INPUT)", async () => {
    const smallest = MODEL_ARCHS.find((a) => ARCH_FACTS[a].minInput === SMALLEST_INPUT)!;
    await expect(createModel(smallest, { inputHeight: SMALLEST_INPUT - 1, inputWidth: SMALLEST_INPUT, widthMultiplier: 0.125 }, { log: () => {} })).rejects.toThrow(/invalid options: inputHeight/);
  });

  it.each(MODEL_ARCHS)('%s builds at the smallest input contracts allows it, and not 8 px below (the config check refuses that)', async (arch) => {
    const side = ARCH_FACTS[arch].minInput;
    const build = (s: number) => createModel(arch, { inputHeight: s, inputWidth: s, widthMultiplier: ARCH_FACTS[arch].scalableWidth ? 0.125 : 1 }, { log: () => {} });
    (await build(side)).dispose();
    await expect(build(side - 8)).rejects.toThrow(/too small/i);
  });
});
