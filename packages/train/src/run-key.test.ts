import { describe, expect, it } from 'vitest';
import { parseConfig, stageParams, type Fingerprint } from '@facemask/contracts';
import { foldRunKey } from './run-key.ts';

const params = stageParams(parseConfig({ data: { root: '/data' } }), 'train');
const fingerprint = { dataset: 'a'.repeat(64), optionsHash: 'b'.repeat(64) } as Fingerprint;
const at = (engine: string) => ({ round: 1, fold: 0, fingerprint, pseudo: null, engine });

describe('a fold run key', () => {
  it("changes with TensorFlow's thread pools on the native engine, so a resumed run never mixes two", () => {
    const two = foldRunKey(params, at('tensorflow'), { TF_NUM_INTRAOP_THREADS: '2' });
    expect(foldRunKey(params, at('tensorflow'), { TF_NUM_INTRAOP_THREADS: '2' })).toBe(two);
    expect(foldRunKey(params, at('tensorflow'), { TF_NUM_INTRAOP_THREADS: '4' })).not.toBe(two);
    expect(foldRunKey(params, at('tensorflow'), { TF_NUM_INTRAOP_THREADS: '2', TF_NUM_INTEROP_THREADS: '1' })).not.toBe(two);
  });

  it('ignores thread settings on engines that do not read them, and tells engines apart', () => {
    const wasm = foldRunKey(params, at('wasm'), { TF_NUM_INTRAOP_THREADS: '2' });
    expect(foldRunKey(params, at('wasm'), { TF_NUM_INTRAOP_THREADS: '7' })).toBe(wasm);
    expect(foldRunKey(params, at('cpu'), {})).not.toBe(foldRunKey(params, at('wasm'), {}));
  });

  it('is the same for a data root at another path (a checkpoint restored on another machine resumes), not for other settings', () => {
    const here = foldRunKey(params, at('wasm'), {});
    expect(foldRunKey({ ...params, root: '/elsewhere/data' }, at('wasm'), {})).toBe(here);
    expect(foldRunKey({ ...params, seed: params.seed + 1 }, at('wasm'), {})).not.toBe(here);
  });

  it("changes with the Nx task's hash (the code that trains), and is the same again for the same task", () => {
    const before = foldRunKey(params, at('wasm'), { NX_TASK_HASH: '123' });
    expect(foldRunKey(params, at('wasm'), { NX_TASK_HASH: '123' })).toBe(before);
    expect(foldRunKey(params, at('wasm'), { NX_TASK_HASH: '456' })).not.toBe(before);
  });
});
