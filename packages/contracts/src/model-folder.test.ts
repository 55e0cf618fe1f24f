import { describe, expect, it } from 'vitest';
import { ageBandWords, classTable, describeClass, manifestFile, MODEL_FOLDER_FILES, MODEL_FOLDER_KIND, MODEL_FOLDER_VERSION, parseModelManifest, type ModelManifest } from './model-folder.ts';

const sha = 'a'.repeat(64);
const manifest = (): ModelManifest => ({
  name: 'demo',
  exportedAt: '2025-01-01T00:00:00.000Z',
  members: [
    { fold: 0, path: 'folds/fold-0', oofMacroF1: 0.9, bestEpoch: 9 },
    { fold: 2, path: 'folds/fold-2', oofMacroF1: 0.8, bestEpoch: 7 },
  ],
  head: 'multi',
  vote: { method: 'soft', weights: [1, 2] },
  input: { height: 64, width: 64, channels: 3 },
  crop: { kind: 'centre', size: 384 },
  normalize: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  tta: 'hflip',
  classes: classTable({ young: 30, old: 58 }),
  ageThresholds: { young: 30, old: 58 },
  source: { round: 1, configHash: sha, trainParamsHash: sha, data: { dataset: sha, files: 10, bytes: 100, optionsHash: sha }, backend: 'wasm' },
  scores: { n: 10, accuracy: 0.9, macroF1: 0.8, perClass: classTable({ young: 30, old: 60 }).map((c) => ({ cls: c.id, f1: 0.5, support: 1 })), folds: [{ fold: 0, n: 5, accuracy: 1, macroF1: 1 }] },
});

describe('model folder manifest', () => {
  it('words the classes by the run thresholds', () => {
    expect(ageBandWords(30, 60)).toEqual(['<30', '30-59', '60+']);
    const t = classTable({ young: 30, old: 58 });
    expect(t[17]).toEqual({ id: 17, mask: 'not_wear', gender: 'female', age: '58+' });
    expect(describeClass(t, 7)).toBe('incorrect / male / 30-57');
    expect(describeClass(t, 12)).toBe('not wear / male / <30');
  });

  it('round-trips through manifest.json', () => {
    const file = JSON.parse(JSON.stringify(manifestFile(manifest())));
    expect(file.kind).toBe(MODEL_FOLDER_KIND);
    expect(file.version).toBe(MODEL_FOLDER_VERSION);
    expect(parseModelManifest(file, 'm/manifest.json')).toEqual(manifest());
  });

  it('takes a face crop rule with its detector options, crop, weights and fallback, with defaults filled in', () => {
    const models = [{ detector: 'blazeface', package: '@vladmandic/human', version: '3.3.6', files: [{ path: 'models/blazeface.json', sha256: 'a'.repeat(64) }] }];
    const crop = { kind: 'face', detect: { detectors: [{ name: 'blazeface', minScore: 0.2 }] }, crop: { margin: 0.25 }, fallbackCenterCrop: 384, models, backend: 'wasm' };
    const parsed = parseModelManifest(manifestFile({ ...manifest(), crop } as ModelManifest), 'x').crop;
    expect(parsed).toEqual({
      ...crop,
      detect: { detectors: [{ name: 'blazeface', minScore: 0.2 }], maxFaces: 1, pick: 'largest', minFaceSize: 0, landmarks: false },
      crop: { margin: 0.25, square: true, align: 'none', border: 'shift' },
    });
    expect(() => manifestFile({ ...manifest(), crop: { ...crop, models: [] } } as unknown as ModelManifest)).toThrow();
    expect(() => manifestFile({ ...manifest(), crop: { ...crop, crop: { margin: 0.25, size: 224 } } } as unknown as ModelManifest)).toThrow();
    expect(MODEL_FOLDER_FILES.detectorFile('@vladmandic/human', 'models/blazeface.json')).toBe('detectors/@vladmandic/human/models/blazeface.json');
  });

  it('names both versions when a folder is of another version, and the fix', () => {
    const file = { ...manifestFile(manifest()), version: MODEL_FOLDER_VERSION + 1 };
    expect(() => parseModelManifest(file, 'old/manifest.json')).toThrow(
      `old/manifest.json is model folder version ${MODEL_FOLDER_VERSION + 1}, this facemask reads version ${MODEL_FOLDER_VERSION}: export the model again with this version (\`pnpm export\`)`,
    );
  });

  it('refuses another kind of file and a manifest that breaks the schema, in one line', () => {
    expect(() => parseModelManifest({ kind: 'ensemble/report', version: 1, data: {} }, 'r.json')).toThrow(/r\.json is not a model folder manifest \(it holds a "ensemble\/report" artifact\): point --model at a folder written by `pnpm export`/);
    expect(() => parseModelManifest([1, 2], 'x.json')).toThrow(/x\.json is not a model folder manifest/);
    const weights = { ...manifestFile(manifest()), data: { ...manifest(), vote: { method: 'soft', weights: [1] } } };
    const err = (() => {
      try {
        parseModelManifest(weights, 'w.json');
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(err).toMatch(/^w\.json does not match the model folder schema \(.*1 weights for 2 members.*\): export the model again$/);
    expect(err).not.toContain('\n');
  });
});
