import { describe, expect, it } from 'vitest';
import { main } from './check-main.ts';
import { engineName } from './engine-under-test.ts';

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  return main(argv, (l) => out.push(l), (l) => err.push(l)).then((code) => ({ code, out, err }));
}

describe('check-main: load one engine by name, print its line or its error', () => {
  it('prints the backend line of an engine that loads', async () => {
    expect(await run(['cpu'])).toEqual({ code: 0, out: ['backend: cpu (requested by --backend)'], err: [] });
  });

  it('exits 1 with the one-line reason for a name it cannot use, 2 without a name', async () => {
    const bad = await run(['tpu']);
    expect(bad.code).toBe(1);
    expect(bad.err).toEqual(['Unknown tfjs backend "tpu" (from --backend). Valid: auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu.']);
    expect((await run([])).code).toBe(2);
  });

  it.runIf(engineName() === 'webgpu')('names the webgpu adapter (CI on lavapipe)', async () => {
    const r = await run(['webgpu']);
    expect(r.err).toEqual([]);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toMatch(/^backend: webgpu \(Dawn, (Vulkan|Metal|D3D12), .+; requested by --backend\)$/);
  });
});
