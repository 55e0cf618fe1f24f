import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectionStoreEntryArtifact, hashJson, parseConfig, readArtifact, sha256OfFile, workLayout, writeArtifact, type Detections } from '@facemask/contracts';
import { DECODER, engineIdentity } from '@facemask/face-detect/node';
import { checkDetectionStore, detectionsKey, digestPhotos, findDetections, publishDetections, type DetectionInputs } from './store.ts';
import { linkDetections } from './write.ts';

/*
 * The shared detection store: keyed on what the detections are a function of, found by another
 * run of the same runs folder, linked in (one copy on disk), never trusted once changed on disk,
 * and published by two runs at once without either failing.
 */
let dir: string;
let runs: string;
const options = parseConfig({ data: { root: '/data' } }).detect;
const models: DetectionInputs['models'] = [{ detector: 'blazeface', package: '@vladmandic/human', version: '3.3.6', files: [{ path: 'models/blazeface.bin', sha256: 'a'.repeat(64) }] }];
const photos = [
  { path: 'train/images/000001_male_Asian_30/mask1.jpg', sha256: 'b'.repeat(64) },
  { path: 'eval/images/x.jpg', sha256: 'c'.repeat(64) },
];
const inputs: DetectionInputs = { options, models, engine: engineIdentity('wasm'), photos };
const detections: Detections = {
  options,
  models: [...models],
  backend: 'wasm',
  records: [{ path: photos[0]!.path, width: 40, height: 30, faces: [{ box: { x: 1, y: 2, width: 10, height: 12 }, score: 0.9, detector: 'blazeface' }] }],
  failures: [{ path: photos[1]!.path, reason: 'truncated image' }],
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detect-store-'));
  runs = join(dir, 'data', 'runs');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('detectionsKey', () => {
  it('changes with every input and with nothing else', () => {
    const key = detectionsKey(inputs);
    expect(detectionsKey({ ...inputs, options: { ...options } })).toBe(key);
    // a named engine keys as before auto was told apart
    expect(detectionsKey({ ...inputs, auto: false })).toBe(key);
    expect(key).toBe(hashJson({ format: 'detections-v1', decoder: DECODER, options, models, engine: inputs.engine, photos: photos.map((p) => [p.path, p.sha256]) }));
    const changed: Record<string, DetectionInputs> = {
      'min score': { ...inputs, options: { ...options, detectors: [{ name: 'blazeface', minScore: 0.3 }] } },
      landmarks: { ...inputs, options: { ...options, landmarks: true } },
      'model weights': { ...inputs, models: [{ ...models[0]!, files: [{ path: 'models/blazeface.bin', sha256: 'd'.repeat(64) }] }] },
      'model version': { ...inputs, models: [{ ...models[0]!, version: '3.3.7' }] },
      engine: { ...inputs, engine: engineIdentity('cpu') },
      "auto's guess": { ...inputs, auto: true },
      'engine version': { ...inputs, engine: { ...inputs.engine, packages: { ...inputs.engine.packages, '@tensorflow/tfjs-backend-wasm': '4.23.0' } } },
      'native threads': { ...inputs, engine: engineIdentity('tensorflow', { TF_NUM_INTRAOP_THREADS: '3' }) },
      'photo content': { ...inputs, photos: [photos[0]!, { ...photos[1]!, sha256: 'e'.repeat(64) }] },
      'photo path': { ...inputs, photos: [photos[0]!, { ...photos[1]!, path: 'eval/images/y.jpg' }] },
      'one photo fewer': { ...inputs, photos: [photos[0]!] },
    };
    const keys = Object.entries(changed).map(([what, i]) => [what, detectionsKey(i)] as const);
    for (const [what, k] of keys) expect(k, what).not.toBe(key);
    expect(new Set(keys.map(([, k]) => k)).size).toBe(keys.length);
    // the native engine's threads are in its identity: two counts, two keys
    expect(detectionsKey({ ...inputs, engine: engineIdentity('tensorflow', { TF_NUM_INTRAOP_THREADS: '2' }) })).not.toBe(keys.find(([w]) => w === 'native threads')![1]);
  });

  it('digests the photos by content: the same bytes anywhere key the same', async () => {
    const [a, b] = [join(dir, 'photos-a'), join(dir, 'photos-b')];
    for (const d of [a, b]) {
      await mkdir(join(d, 'eval', 'images'), { recursive: true });
      await writeFile(join(d, 'eval', 'images', 'p.jpg'), 'same bytes');
    }
    const p = (root: string, name = 'p.jpg') => [{ file: join(root, 'eval', 'images', name), path: `eval/images/${name}`, group: 'eval' as const }];
    const da = await digestPhotos(a, p(a), { quiet: true });
    expect(await digestPhotos(b, p(b), { quiet: true })).toEqual(da);
    await writeFile(join(b, 'eval', 'images', 'p.jpg'), 'other bytes');
    expect(await digestPhotos(b, p(b), { quiet: true })).not.toEqual(da);
    // a photo that cannot be read keys by why, as detection records it as a failure
    expect((await digestPhotos(b, p(b, 'gone.jpg'), { quiet: true }))[0]!.sha256).toBe('unreadable (ENOENT)');
  });

  it("reads no photo for a second key over unchanged photos (the fingerprint's sidecar), and a changed photo changes the key", async () => {
    const root = join(dir, 'photos-sidecar');
    const files = ['train/images/000001_male_Asian_30/mask1.jpg', 'eval/images/x.jpg'];
    for (const rel of files) {
      await mkdir(join(root, rel, '..'), { recursive: true });
      await writeFile(join(root, rel), `pixels of ${rel}`);
    }
    const list = files.map((path) => ({ file: join(root, path), path, group: null }));
    const sidecar = join(dir, 'work-sidecar', '.cache', 'fingerprint-files.json');
    const read: string[] = [];
    const readDigest = (file: string) => (read.push(file), sha256OfFile(file));
    const key = async () => detectionsKey({ ...inputs, photos: await digestPhotos(root, list, { sidecar, quiet: true, readDigest }) });
    const first = await key();
    expect(read).toHaveLength(2);
    expect(await key()).toBe(first);
    expect(read).toHaveLength(2);
    // one byte other, same size and mtime: the sidecar's ctime and inode still tell
    const photo = join(root, files[1]!);
    const { mtime } = await stat(photo);
    await writeFile(photo, `pixels of ${files[1]!}`.replace('p', 'P'));
    await utimes(photo, mtime, mtime);
    const changed = await key();
    expect(read.slice(2)).toEqual([photo]);
    expect(changed).not.toBe(first);
    expect(changed).toBe(detectionsKey({ ...inputs, photos: await digestPhotos(root, list, { quiet: true }) }));
  });
});

describe('the shared store', () => {
  const key = detectionsKey(inputs);
  let a: string;
  let b: string;
  beforeAll(() => {
    [a, b] = [join(runs, 'a'), join(runs, 'b')];
  });

  it('lies beside the runs folder: what one run stored, another finds and links in (the same inode)', async () => {
    expect(workLayout.detectionStores(a)).toBe(join(dir, 'data', '.cache', 'detections'));
    expect(workLayout.detectionStores(b)).toBe(workLayout.detectionStores(a));
    expect(workLayout.detectionStores(join(dir, 'data', 'work'))).toBe(join(dir, 'data', 'work', '.cache', 'detections'));
    expect(await findDetections(b, key, () => {})).toBeNull();
    const stored = await publishDetections(a, key, detections);
    await linkDetections(workLayout.detect(a).dir, stored, 'run a');
    const lines: string[] = [];
    expect(await findDetections(b, key, (l) => lines.push(l))).toEqual(detections);
    expect(lines).toEqual([]);
    await linkDetections(workLayout.detect(b).dir, stored, 'run b');
    const inodes = await Promise.all([stored, workLayout.detect(a).detections, workLayout.detect(b).detections].map((f) => stat(f).then((s) => s.ino)));
    expect(new Set(inodes).size).toBe(1);
    expect(await readFile(workLayout.detect(b).summaryText, 'utf8')).toBe('run b\n');
    expect(await readdir(workLayout.detectionStores(a))).toEqual([key]);
    expect(await readdir(runs)).toEqual(['a', 'b']);
    // the engine that ran, which the key (the engine expected before any loaded) may not say
    expect(await readArtifact(detectionStoreEntryArtifact, workLayout.detectionStore(a, key).entry)).toMatchObject({ key, backend: 'wasm' });
  });

  it('rebuilds an entry changed on disk, warning, and never hands it out', async () => {
    const store = workLayout.detectionStore(a, key);
    // written through a run's link: the store's file is the same file
    const text = await readFile(workLayout.detect(b).detections, 'utf8');
    await writeFile(workLayout.detect(b).detections, text.replace('"score":0.9', '"score":0.8'));
    expect(await checkDetectionStore(a, key)).toEqual({ damaged: expect.stringMatching(/detections\.json has sha256 \w+, not the \w+ recorded when it was stored/) });
    const lines: string[] = [];
    expect(await findDetections(a, key, (l) => lines.push(l))).toBeNull();
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^warning: detection store ${store.dir}: .* \\(changed on disk since it was stored\\): detecting again to rebuild it$`))]);
    await publishDetections(a, key, detections);
    expect(await checkDetectionStore(a, key)).toEqual({ detections });
    // a new file: the runs that linked the damaged one keep theirs until they run again
    expect((await stat(store.detections)).ino).not.toBe((await stat(workLayout.detect(b).detections)).ino);

    await writeFile(store.entry, '{"kind":"detect/store-entry"');
    expect(await checkDetectionStore(a, key)).toEqual({ damaged: expect.stringContaining(`${store.entry} is not valid JSON`) });
    await rm(store.detections);
    expect(await checkDetectionStore(a, key)).toMatchObject({ damaged: expect.any(String) });
    await publishDetections(a, key, detections);
    expect(await checkDetectionStore(a, key)).toEqual({ detections });
    // an entry stored before entry.json named the engine is still whole
    const { backend: _ran, ...older } = await readArtifact(detectionStoreEntryArtifact, store.entry);
    await writeArtifact(detectionStoreEntryArtifact, store.entry, older);
    expect(await checkDetectionStore(a, key)).toEqual({ detections });
  });

  it('takes many runs publishing the same key at once: all succeed, one whole entry, no temporaries', async () => {
    const other = detectionsKey({ ...inputs, photos: [photos[0]!] });
    const files = await Promise.all(Array.from({ length: 8 }, (_, i) => publishDetections(join(runs, `c${i}`), other, detections)));
    expect(new Set(files).size).toBe(1);
    expect(await checkDetectionStore(a, other)).toEqual({ detections });
    expect((await readdir(workLayout.detectionStores(a))).sort()).toEqual([key, other].sort());
  });
});
