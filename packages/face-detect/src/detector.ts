import * as tf from '@tensorflow/tfjs-core';
import { createBlazeface, type HumanModule } from './blazeface.ts';
import { createLandmarks68, createSsd, createTiny, type FaceApiModule, type RawFace } from './faceapi.ts';
import { assertRgbImage, type RgbImage } from './image.ts';
import type { ModelFiles } from './model-files.ts';
import type { DetectOptions, DetectorName, DetectorSpec } from './options.ts';
import { isFaceSized, pickFaces, type DetectionRecord, type Face } from './record.ts';

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
type Loaded = {
  ssd: Awaited<ReturnType<typeof createSsd>>;
  tiny: Awaited<ReturnType<typeof createTiny>>;
  blazeface: Awaited<ReturnType<typeof createBlazeface>>;
};

/** Loads each network once, however often the cascade names it (e.g. BlazeFace at two scores). */
class Networks {
  private readonly loaded: Partial<Loaded> = {};
  constructor(private readonly opts: CreateDetectorOptions) {}

  async pass(spec: DetectorSpec): Promise<Pass> {
    const { modules, files, wasmPath } = this.opts;
    switch (spec.name) {
      case 'ssd': {
        const d = (this.loaded.ssd ??= await createSsd(modules.faceapi, files));
        return (img) => d.detect(img, spec.minScore);
      }
      case 'tiny': {
        const d = (this.loaded.tiny ??= await createTiny(modules.faceapi, files));
        return (img) => d.detect(img, spec.minScore, spec.inputSize);
      }
      case 'blazeface': {
        const d = (this.loaded.blazeface ??= await createBlazeface(modules.human, files, wasmPath));
        return (img) => d.detect(img, spec.minScore);
      }
      default: {
        const never: never = spec;
        throw new Error(`unknown detector ${JSON.stringify(never)}`);
      }
    }
  }

  dispose(): void {
    for (const d of Object.values(this.loaded)) d.dispose();
  }
}

/** Loads the detectors `options` name (weights from `files`) on the active tfjs backend. */
export async function createDetector(options: DetectOptions, opts: CreateDetectorOptions): Promise<FaceDetector> {
  const networks = new Networks(opts);
  const passes: { name: DetectorName; run: Pass }[] = [];
  for (const spec of options.detectors) passes.push({ name: spec.name, run: await networks.pass(spec) });
  const landmarks = options.landmarks ? await createLandmarks68(opts.modules.faceapi, opts.files) : null;

  const detect = async (image: RgbImage): Promise<Face[]> => {
    assertRgbImage(image);
    const t = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    try {
      for (const pass of passes) {
        const raw = (await pass.run(t))
          .map((r) => clipToImage(r, image.width, image.height))
          .filter((r): r is RawFace => r !== null && isFaceSized(r.box, image, options.minFaceSize));
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
      networks.dispose();
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
