import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_AT_ENV } from '@facemask/contracts';
import { parseDetectOptions } from '../options.ts';
import { AFTER_DETECT_FIXTURE } from '../test-utils/after-detect-fixture.ts';
import { wall } from '../test-utils/shared.ts';
import { detectEngineIsAuto, detectFiles } from './batch.ts';
import { decodePhotoFile, PhotoError } from './decode.ts';

let dir: string;
let files: string[];
const options = parseDetectOptions({ detectors: [{ name: 'blazeface', minScore: 0.2 }] });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'face-detect-batch-'));
  files = [];
  for (let i = 0; i < 3; i++) {
    const img = wall(96, 128, [60 * i + 40, 120, 200 - 50 * i], i);
    const file = join(dir, `wall${i}.png`);
    await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toFile(file);
    files.push(file);
  }
  await writeFile(join(dir, 'bad.jpg'), 'not a photo');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('detectFiles', () => {
  it('in this thread and in two workers: the same records, in input order, with "no face" for walls', async () => {
    const here = await detectFiles(files, options, { workers: 0 });
    const seen: number[] = [];
    const two = await detectFiles(files, options, { workers: 2, onRecord: (_r, i) => seen.push(i) });
    expect(two.records).toEqual(here.records);
    expect(seen).toEqual([0, 1, 2]);
    expect(here.records.map((r) => [r.path, r.width, r.height, r.faces])).toEqual(files.map((f) => [f, 96, 128, []]));
  });

  it('hands each record on with what the afterDetect hook made of the same decode, here and in workers', async () => {
    const expected = await Promise.all(files.map(async (f) => [...(await decodePhotoFile(f)).data.subarray(0, 6), 96, 128, 0]));
    for (const workers of [0, 2]) {
      const extras: number[][] = [];
      const r = await detectFiles(files, options, {
        workers,
        afterDetect: { module: AFTER_DETECT_FIXTURE, options: { bytes: 6 } },
        onRecord: (_r, i, extra) => {
          expect(extra, `workers ${workers}`).toBeInstanceOf(Uint8Array);
          extras[i] = [...extra!];
        },
      });
      expect(extras, `workers ${workers}`).toEqual(expected);
      expect(r.records).toHaveLength(3);
    }
    // without a hook, nothing beside the record
    const none: (Uint8Array | null)[] = [];
    await detectFiles(files, options, { workers: 2, onRecord: (_r, _i, extra) => none.push(extra) });
    expect(none).toEqual([null, null, null]);
  });

  it('a hook module without afterDetect stops the run naming it', async () => {
    const module = new URL('./decode.ts', import.meta.url).href;
    const before = tf.memory().numTensors;
    await expect(detectFiles(files, options, { workers: 0, afterDetect: { module, options: null } })).rejects.toThrow(/decode\.ts exports no afterDetect function/);
    // no detector was left loaded
    expect(tf.memory().numTensors).toBe(before);
    await expect(detectFiles(files, options, { workers: 1, afterDetect: { module, options: null } })).rejects.toThrow(/decode\.ts exports no afterDetect function/);
  });

  it('a corrupt photo stops the run with a PhotoError naming it, or goes to onFailure', async () => {
    const bad = join(dir, 'bad.jpg');
    const list = [files[0]!, bad, files[1]!];
    const err = await detectFiles(list, options, { workers: 2 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PhotoError);
    expect((err as PhotoError).message).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: corrupt or not an image`));
    const failures: string[] = [];
    const r = await detectFiles(list, options, { workers: 0, onFailure: (f) => failures.push(f.path), recordPath: (f) => f.slice(dir.length + 1) });
    expect(failures).toEqual(['bad.jpg']);
    expect(r.failures).toEqual([{ path: 'bad.jpg', reason: expect.stringMatching(/^corrupt or not an image/) }]);
    expect(r.records.map((x) => x.path)).toEqual(['wall0.png', 'wall1.png']);
  });

  it('a worker process that dies fails the run with one line naming it', async () => {
    // The first worker to send a record kills itself (SIGKILL), as a crash of the engine would.
    process.env[FAULT_AT_ENV] = 'detect-photo:1';
    try {
      await expect(detectFiles(files, options, { workers: 2 })).rejects.toThrow(/^face-detect worker process \d+ was killed by SIGKILL$/);
    } finally {
      delete process.env[FAULT_AT_ENV];
    }
  });
});

describe('detectEngineIsAuto', () => {
  it('is true only when neither --backend, TFJS_BACKEND nor the config names an engine', () => {
    expect(detectEngineIsAuto({}, {})).toBe(true);
    expect(detectEngineIsAuto({ backend: 'auto', configured: 'auto' }, { TFJS_BACKEND: 'auto' })).toBe(true);
    expect(detectEngineIsAuto({ backend: 'wasm' }, {})).toBe(false);
    expect(detectEngineIsAuto({}, { TFJS_BACKEND: 'cpu' })).toBe(false);
    expect(detectEngineIsAuto({ configured: 'tensorflow' }, {})).toBe(false);
  });
});
