import { EXTRA_BACKBONES } from '@facemask/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { isExtraBackboneLayer } from './extra-backbones.ts';
import { getModelFactory, parseModelOptions } from './registry.ts';
import { FEATURES_CONCAT } from './taps.ts';
import { useBackend } from './test-utils/backend.ts';
import { stateDictSpec } from './torch-weights.ts';

/*
 * isExtraBackboneLayer, which every weight loader and the freezing honour, names exactly the
 * layers an extra backbone adds to a model: built, not loaded (nothing read from Human's package).
 */

beforeAll(async () => {
  await useBackend('cpu');
});

const build = (arch: string, size: number, extraBackbones: (typeof EXTRA_BACKBONES)[number][]) =>
  getModelFactory(arch).build(parseModelOptions(arch, { inputHeight: size, inputWidth: size, extraBackbones }));

describe('isExtraBackboneLayer', () => {
  for (const [arch, size] of [['resnet18', 32], ['faceapi_resnet29', 150]] as const) {
    for (const extra of EXTRA_BACKBONES) {
      it(`names the layers ${extra} adds to ${arch} and no other; a torch state_dict keeps the same keys`, () => {
        const [plain, withExtra] = [build(arch, size, []), build(arch, size, [extra])];
        const main = new Set(plain.layers.map((l) => l.name));
        // The concatenation of the main and extra features is the model's, not the branch's.
        const added = withExtra.layers.map((l) => l.name).filter((n) => !main.has(n) && n !== FEATURES_CONCAT);
        expect(added.length).toBeGreaterThan(0);
        expect(added.filter((n) => !isExtraBackboneLayer(n))).toEqual([]);
        expect(withExtra.layers.map((l) => l.name).filter((n) => main.has(n) && isExtraBackboneLayer(n))).toEqual([]);
        expect(stateDictSpec(withExtra).map((s) => s.key)).toEqual(stateDictSpec(plain).map((s) => s.key));
        plain.dispose();
        withExtra.dispose();
      });
    }
  }
});
