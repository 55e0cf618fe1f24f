import * as tf from '@tensorflow/tfjs-core';
import { createBlazeface, type HumanModule } from './blazeface.ts';
import { createLandmarks68, createSsd, createTiny, type FaceApiModule, type RawFace } from './faceapi.ts';
import { assertRgbImage, type RgbImage } from './image.ts';
import type { ModelFiles } from './models.ts';
import type { DetectOptions, DetectorName, DetectorSpec } from './options.ts';
import { pickFaces, type DetectionRecord, type Face } from './record.ts';

/** The libraries the detectors run on, loaded by the caller (node/modules.ts in Node). */
export interface DetectorModules {
  faceapi: FaceApiModule;
  human: HumanModule;
}

export interface CreateDetectorOptions {
  modules: DetectorModules;
  files: ModelFiles;
  /** tfjs-backend-wasm's binary folder, for Human when the active backend is wasm. */
  wasmPath?: string;
}

export interface FaceDetector {
  readonly options: DetectOptions;
  /** Faces in one photo (decoded RGB), in pick order, at most `maxFaces`; empty for "no face". */
  detect(image: RgbImage): Promise<Face[]>;
  /** The same as a record, naming the photo. */
  detectRecord(path: string, image: RgbImage): Promise<DetectionRecord>;
  dispose(): void;
}

type Pass = (image: tf.Tensor3D) => Promise<RawFace[]>;

async function createPass(spec: DetectorSpec, opts: CreateDetectorOptions): Promise<{ run: Pass; dispose: () => void }> {
  const { modules, files } = opts;
  switch (spec.name) {
    case 'ssd': {
      const d = await createSsd(modules.faceapi, files);
      return { run: (img) => d.detect(img, spec.minScore), dispose: d.dispose };
    }
    case 'tiny': {
      const d = await createTiny(modules.faceapi, files);
      return { run: (img) => d.detect(img, spec.minScore, spec.inputSize), dispose: d.dispose };
    }
    case 'blazeface': {
      const d = await createBlazeface(modules.human, files, opts.wasmPath);
      return { run: (img) => d.detect(img, spec.minScore), dispose: d.dispose };
    }
    default: {
      const never: never = spec;
      throw new Error(`unknown detector ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Loads the detectors `options` name (weights from `files`) on the active tfjs backend. Each
 * detector is loaded once, even if the cascade names it twice with different scores.
 */
export async function createDetector(options: DetectOptions, opts: CreateDetectorOptions): Promise<FaceDetector> {
  const passes: { name: DetectorName; run: Pass; dispose: () => void }[] = [];
  for (const spec of options.detectors) passes.push({ name: spec.name, ...(await createPass(spec, opts)) });
  const landmarks = options.landmarks ? await createLandmarks68(opts.modules.faceapi, opts.files) : null;

  const detect = async (image: RgbImage): Promise<Face[]> => {
    assertRgbImage(image);
    const t = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    try {
      for (const pass of passes) {
        const raw = (await pass.run(t)).map((r) => clipToImage(r, image.width, image.height)).filter((r): r is RawFace => r !== null);
        if (raw.length === 0) continue;
        const faces = pickFaces(raw.map((r) => toFace(r, pass.name)), options.pick, options.maxFaces);
        if (landmarks) {
          for (const f of faces) {
            if (f.eyes) continue;
            const lm = await landmarks.landmarks(t, f.box);
            if (lm?.eyes) Object.assign(f, lm);
          }
        }
        return faces;
      }
      return [];
    } finally {
      t.dispose();
    }
  };

  return {
    options,
    detect,
    async detectRecord(path, image) {
      return { path, width: image.width, height: image.height, faces: await detect(image) };
    },
    dispose() {
      for (const p of passes) p.dispose();
      landmarks?.dispose();
    },
  };
}

/** Boxes cut to the photo (detectors may reach past the border); null if nothing is left. */
function clipToImage(r: RawFace, width: number, height: number): RawFace | null {
  const x0 = Math.max(0, r.box.x);
  const y0 = Math.max(0, r.box.y);
  const x1 = Math.min(width, r.box.x + r.box.width);
  const y1 = Math.min(height, r.box.y + r.box.height);
  if (!(x1 - x0 >= 1 && y1 - y0 >= 1)) return null;
  return { ...r, box: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } };
}

function toFace(r: RawFace, detector: DetectorName): Face {
  return {
    box: r.box,
    score: Math.min(1, Math.max(0, r.score)),
    detector,
    ...(r.eyes ? { eyes: r.eyes } : {}),
    ...(r.landmarks ? { landmarks: r.landmarks } : {}),
  };
}
