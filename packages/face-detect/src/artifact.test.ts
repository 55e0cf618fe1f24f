import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactError, readArtifact, writeArtifact } from '@facemask/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectionsArtifact, type DetectionsInput } from './artifact.ts';
import { modelIdentities } from './node/identity.ts';
import { DEFAULT_DETECT_OPTIONS, parseDetectOptions } from './options.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'face-detect-artifact-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('detections artifact', () => {
  it('round-trips through writeArtifact/readArtifact with the models that made it', async () => {
    const models = await modelIdentities(DEFAULT_DETECT_OPTIONS);
    const data: DetectionsInput = {
      options: DEFAULT_DETECT_OPTIONS,
      models,
      backend: 'wasm',
      records: [
        { path: 'train/images/a/mask1.jpg', width: 384, height: 512, faces: [{ box: { x: 10, y: 20, width: 150, height: 150 }, score: 0.8, detector: 'blazeface', eyes: { left: { x: 50, y: 70 }, right: { x: 110, y: 72 } } }] },
        { path: 'eval/images/b.jpg', width: 384, height: 512, faces: [] },
      ],
    };
    const file = join(dir, 'detections.json');
    await writeArtifact(detectionsArtifact, file, data);
    const back = await readArtifact(detectionsArtifact, file);
    expect(back.records).toEqual(data.records);
    expect(back.failures).toEqual([]);
    expect(back.options).toEqual(DEFAULT_DETECT_OPTIONS);
  });

  it('names each network by package, version and file hashes (hashes checked against the files)', async () => {
    const models = await modelIdentities(parseDetectOptions({ detectors: [{ name: 'ssd' }, { name: 'blazeface' }], landmarks: true }));
    expect(models.map((m) => m.detector)).toEqual(['ssd', 'blazeface', 'landmarks68']);
    expect(models.map((m) => m.package)).toEqual(['@vladmandic/face-api', '@vladmandic/human', '@vladmandic/face-api']);
    expect(models[0]!.files.map((f) => f.path)).toEqual(['model/ssd_mobilenetv1_model-weights_manifest.json', 'model/ssd_mobilenetv1_model.bin']);
    expect(models[1]!.files.map((f) => f.path)).toEqual(['models/blazeface.json', 'models/blazeface.bin']);
    const { createRequire } = await import('node:module');
    const pkgMain = createRequire(import.meta.url).resolve('@vladmandic/human');
    const bin = await readFile(join(pkgMain, '..', '..', 'models', 'blazeface.bin'));
    expect(models[1]!.files[1]!.sha256).toBe(createHash('sha256').update(bin).digest('hex'));
  });

  it('refuses a record with a face box of zero size', async () => {
    const bad = { options: DEFAULT_DETECT_OPTIONS, models: await modelIdentities(DEFAULT_DETECT_OPTIONS), backend: 'cpu', records: [{ path: 'x.jpg', width: 10, height: 10, faces: [{ box: { x: 0, y: 0, width: 0, height: 5 }, score: 0.5, detector: 'ssd' }] }] };
    await expect(writeArtifact(detectionsArtifact, join(dir, 'bad.json'), bad as DetectionsInput)).rejects.toThrow(ArtifactError);
  });
});
