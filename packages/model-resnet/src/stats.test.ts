import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { referenceCases } from '@facemask/contracts/reference';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from './registry.ts';
import { stateDictSpec } from './torch-weights.ts';
import { countMultiplyAdds, countParameters, statsTable, type ModelStats } from './stats.ts';
import { useBackend } from './test-utils/backend.ts';

/** torchvision's published numbers (ImageNet heads, 1000 classes; "GFLOPS" there are multiply-adds). */
const TORCHVISION = {
  resnet18: { parameters: 11_689_512, gmacs: 1.81 },
  resnet34: { parameters: 21_797_672, gmacs: 3.66 },
  resnet50: { parameters: 25_557_032, gmacs: 4.09 },
} as const;

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

async function statsOf(name: string, size: number, numClasses: number): Promise<ModelStats> {
  const m = await createModel(name, { inputHeight: size, inputWidth: size, numClasses });
  const s = { name, parameters: countParameters(m), multiplyAdds: countMultiplyAdds(m) };
  m.dispose();
  return s;
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('parameters and multiply-adds', () => {
  let rows: ModelStats[] = [];
  beforeAll(async () => {
    rows = [];
    for (const name of Object.keys(TORCHVISION)) rows.push(await statsOf(name, 224, 1000));
  });

  it('parameter counts equal torchvision (1000 classes)', () => {
    for (const r of rows) expect(r.parameters, r.name).toBe(TORCHVISION[r.name as keyof typeof TORCHVISION].parameters);
  });

  it('multiply-adds at 224 px match torchvision to its two published decimals', () => {
    for (const r of rows) expect(Math.abs(r.multiplyAdds / 1e9 - TORCHVISION[r.name as keyof typeof TORCHVISION].gmacs), r.name).toBeLessThan(0.005);
  });

  it('the README table is the one computed here', async () => {
    expect(readme).toContain(statsTable(rows, '224x224'));
    expect(readme).toContain(statsTable([await statsOf('faceapi_resnet29', 150, 18)], '150x150'));
  });

  it('the 18-class head changes the count by exactly the fc difference', async () => {
    const r18 = await statsOf('resnet18', 224, 18);
    expect(r18.parameters).toBe(TORCHVISION.resnet18.parameters - (1000 - 18) * (512 + 1));
  });
});

describe.each(referenceCases('resnet').map((c) => [c.id, c] as const))('fixture %s', (_id, c) => {
  it('parameter and state_dict tensor counts equal the ones torch reported', async () => {
    const p = c.params as { arch: string; num_classes: number; num_parameters: number; num_state_dict_tensors: number; io_tensors: { input: number[] } };
    const m = await createModel(p.arch, { inputHeight: p.io_tensors.input[2] as number, inputWidth: p.io_tensors.input[3] as number, numClasses: p.num_classes });
    expect(countParameters(m)).toBe(p.num_parameters);
    const bnLayers = m.layers.filter((l) => l.getClassName() === 'TorchBatchNorm').length;
    expect(stateDictSpec(m).length + bnLayers).toBe(p.num_state_dict_tensors);
    m.dispose();
  });
});
