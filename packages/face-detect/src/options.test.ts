import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECT_OPTIONS, parseDetectOptions } from './options.ts';
import { pickFaces, primaryFace, type Face } from './record.ts';

describe('detect options', () => {
  it('defaults: the recommended detector, one face, the largest, no landmark net', () => {
    expect(DEFAULT_DETECT_OPTIONS).toEqual({ detectors: [{ name: 'blazeface', minScore: 0.2 }], maxFaces: 1, pick: 'largest', minFaceSize: 0, landmarks: false });
    expect(parseDetectOptions(undefined)).toEqual(DEFAULT_DETECT_OPTIONS);
  });

  it('fills per-detector defaults', () => {
    expect(parseDetectOptions({ detectors: [{ name: 'tiny' }, { name: 'ssd', minScore: 0.3 }] }).detectors).toEqual([
      { name: 'tiny', minScore: 0.5, inputSize: 416 },
      { name: 'ssd', minScore: 0.3 },
    ]);
  });

  it('is strict, with one-line errors naming the key', () => {
    expect(() => parseDetectOptions({ maxFace: 2 })).toThrow(/maxFace/);
    expect(() => parseDetectOptions({ detectors: [{ name: 'ssd', inputSize: 416 }] })).toThrow(/inputSize/);
    expect(() => parseDetectOptions({ detectors: [{ name: 'tiny', inputSize: 400 }] })).toThrow(/multiple of 32/);
    expect(() => parseDetectOptions({ detectors: [{ name: 'mtcnn' }] })).toThrow();
    expect(() => parseDetectOptions({ detectors: [] })).toThrow();
    expect(() => parseDetectOptions({ maxFace: 2 }, 'face.detect')).toThrow(/^face\.detect: [^\n]*$/);
  });
});

describe('pickFaces', () => {
  const f = (w: number, score: number): Face => ({ box: { x: 0, y: 0, width: w, height: w }, score, detector: 'ssd' });
  const faces = [f(50, 0.9), f(120, 0.6), f(80, 0.95), f(120, 0.7)];
  it('largest first (score breaks ties), or most confident first', () => {
    expect(pickFaces(faces, 'largest', 3).map((x) => [x.box.width, x.score])).toEqual([[120, 0.7], [120, 0.6], [80, 0.95]]);
    expect(pickFaces(faces, 'score', 2).map((x) => x.score)).toEqual([0.95, 0.9]);
  });
  it('a record without faces has no primary face', () => {
    expect(primaryFace({ path: 'p', width: 1, height: 1, faces: [] })).toBeNull();
  });
});
