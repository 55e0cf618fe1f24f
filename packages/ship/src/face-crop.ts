import type { FaceCropRule } from '@facemask/contracts/browser';
import type { DecodedPhoto } from '@facemask/preprocess/browser';
import type { FaceCropper } from './crop.ts';

/**
 * The one adapter between a face-crop rule and @facemask/face-detect (built on branch `detect`, not
 * on main yet; this follows its API as of detect@058b808): parse the detector options, detect,
 * take the crop region of the first face (or the centre fallback), cut and resize it. The library
 * comes in as a parameter, typed by the few members used, so this file compiles before the
 * package lands and the Node and page callers pass the real module once it does. Browser-safe.
 */
export interface FaceDetectApi {
  parseDetectOptions(input: unknown, source?: string): unknown;
  cropOptionsSchema: { parse(input: unknown): object };
  cropRegion(record: { width: number; height: number; faces: readonly unknown[] }, opts: never): { source: 'face' | 'fallback' };
  cropPixels(image: DecodedPhoto, region: never, size: number): Uint8Array;
}

/** A face detector built from parsed detector options (face-detect's FaceDetector). */
export interface FaceFinder {
  detect(image: DecodedPhoto): Promise<readonly unknown[]>;
  dispose(): void;
}

/** face-detect's crop options (cropOptionsSchema) for a manifest's face rule. */
export function cropOptionsOf(rule: FaceCropRule): Record<string, unknown> {
  return { margin: rule.margin, square: rule.square, align: rule.align, border: rule.border, size: rule.size, fallbackSide: rule.fallback.side };
}

export function faceCropper(api: FaceDetectApi, makeFinder: (detectOptions: unknown) => Promise<FaceFinder>): FaceCropper {
  let current: { key: string; finder: Promise<FaceFinder> } | null = null;
  const finderFor = (rule: FaceCropRule): Promise<FaceFinder> => {
    const key = JSON.stringify(rule.detect);
    if (current?.key !== key) {
      void current?.finder.then((f) => f.dispose());
      current = { key, finder: makeFinder(api.parseDetectOptions(rule.detect, "the model folder's crop.detect")) };
    }
    return current.finder;
  };
  return {
    async crop(photo, rule) {
      const faces = await (await finderFor(rule)).detect(photo);
      const opts = api.cropOptionsSchema.parse(cropOptionsOf(rule)) as never;
      const region = api.cropRegion({ width: photo.width, height: photo.height, faces }, opts);
      const data = api.cropPixels(photo, region as never, rule.size);
      return { photo: { data, width: rule.size, height: rule.size }, fallback: region.source === 'fallback' };
    },
    dispose() {
      void current?.finder.then((f) => f.dispose());
      current = null;
    },
  };
}
