import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { detectionStoreEntryArtifact, parseConfig, readArtifact, stageParams, workLayout } from '@facemask/contracts';
import type * as FaceDetectNode from '@facemask/face-detect/node';
import { runDetect, type DetectParams } from './run.ts';

/*
 * Auto's guess of the engine (judged from the installed files before any worker loads one) can
 * be wrong: here it says tensorflow and the workers load wasm. The store must still serve the
 * next auto run, and never hand wasm's detections to a run that names tensorflow.
 */
const engine = vi.hoisted(() => ({ loads: 'wasm', detectorRuns: 0 }));

vi.mock('@facemask/face-detect/node', async (importOriginal) => {
  const real = await importOriginal<typeof FaceDetectNode>();
  return {
    ...real,
    expectedDetectEngine: (...args: Parameters<typeof real.expectedDetectEngine>) =>
      real.detectEngineIsAuto(...args) ? real.engineIdentity('tensorflow') : real.expectedDetectEngine(...args),
    // no engine loads: a record per photo, from the engine the "workers" report
    detectFiles: async (files: readonly string[], _options: unknown, opts: FaceDetectNode.DetectFilesOptions = {}): Promise<FaceDetectNode.DetectFilesResult> => {
      engine.detectorRuns++;
      return { records: files.map((f) => ({ path: opts.recordPath?.(f) ?? f, width: 8, height: 8, faces: [] })), failures: [], backend: engine.loads as FaceDetectNode.DetectFilesResult['backend'] };
    },
  };
});

let dir: string;
let params: DetectParams;
const saved = process.env.TFJS_BACKEND;
const work = (name: string) => join(dir, 'data', 'runs', name);

beforeAll(async () => {
  delete process.env.TFJS_BACKEND;
  dir = await mkdtemp(join(tmpdir(), 'detect-engine-guess-'));
  const root = join(dir, 'data', 'root');
  await mkdir(join(root, 'train', 'images', '000001_male_Asian_30'), { recursive: true });
  await mkdir(join(root, 'eval', 'images'), { recursive: true });
  await writeFile(join(root, 'train', 'images', '000001_male_Asian_30', 'mask1.jpg'), 'photo 1');
  await writeFile(join(root, 'eval', 'images', 'x.jpg'), 'photo 2');
  params = stageParams(parseConfig({ data: { root } }), 'detect');
});
afterAll(async () => {
  if (saved !== undefined) process.env.TFJS_BACKEND = saved;
  await rm(dir, { recursive: true, force: true });
});

describe('the store when auto guesses the engine wrong', () => {
  it('stores under the key the run looked up, naming the engine that ran, so the next auto run finds it', async () => {
    expect(params.backend).toBe('auto');
    const first = await runDetect(params, { work: work('a'), quiet: true, workers: 1 });
    expect(engine.detectorRuns).toBe(1);
    expect(first.detections.backend).toBe('wasm');
    const key = first.store!.key;
    expect(await readArtifact(detectionStoreEntryArtifact, workLayout.detectionStore(work('a'), key).entry)).toMatchObject({ key, backend: 'wasm' });

    const second = await runDetect(params, { work: work('b'), quiet: true, workers: 1 });
    expect(second.store).toEqual({ key, reused: true });
    expect(engine.detectorRuns).toBe(1);
    expect(second.detections.backend).toBe('wasm');
    expect(second.report).toMatch(/ on wasm, no detector ran: 2 photos/);
  });

  it("never gives auto's entry to a run that names the engine auto guessed", async () => {
    engine.loads = 'tensorflow';
    const named = await runDetect(params, { work: work('c'), quiet: true, workers: 1, backend: 'tensorflow' });
    expect(engine.detectorRuns).toBe(2);
    expect(named.store?.reused).toBe(false);
    expect(named.detections.backend).toBe('tensorflow');
    expect(await readdir(workLayout.detectionStores(work('c')))).toHaveLength(2);
  });
});
