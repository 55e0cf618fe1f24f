import * as tf from '@tensorflow/tfjs-core';
import { FACE_API_WEIGHTS } from './model-files.ts';
import type { ModelFiles } from './model-files.ts';
import { readFaceApiWeightMap } from './models.ts';
import type { Point } from './record.ts';

/*
 * The part of @vladmandic/face-api this package uses, typed structurally so that the same code
 * runs with face-api's Node build (node/modules.ts loads it) or its browser build (a page passes
 * its own import). face-api's own typings pull in DOM types this repository does not compile with.
 */
export interface FaceApiRect {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface FaceApiDetection {
  score: number;
  box: FaceApiRect;
}
interface FaceApiNet {
  loadFromWeightMap(weights: tf.NamedTensorMap): void;
  dispose(): void;
}
interface FaceApiLandmarks {
  positions: Point[];
  getLeftEye(): Point[];
  getRightEye(): Point[];
}
export interface FaceApiModule {
  SsdMobilenetv1: new () => FaceApiNet & { locateFaces(input: tf.Tensor3D, options: unknown): Promise<FaceApiDetection[]> };
  SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults: number }) => unknown;
  TinyFaceDetector: new () => FaceApiNet & { locateFaces(input: tf.Tensor3D, options: unknown): Promise<FaceApiDetection[]> };
  TinyFaceDetectorOptions: new (o: { inputSize: number; scoreThreshold: number }) => unknown;
  FaceLandmark68Net: new () => FaceApiNet & { detectLandmarks(face: tf.Tensor3D): Promise<FaceApiLandmarks> };
  Rect: new (x: number, y: number, width: number, height: number) => FaceApiRect;
  extractFaceTensors(image: tf.Tensor3D, boxes: FaceApiRect[]): Promise<tf.Tensor3D[]>;
}

/** A box and score from one detector pass, in original pixels. */
export interface RawFace {
  box: FaceApiRect;
  score: number;
  eyes?: { left: Point; right: Point };
  landmarks?: Point[];
}

async function loadNet<N extends FaceApiNet>(net: N, files: ModelFiles, name: string): Promise<N> {
  net.loadFromWeightMap(await readFaceApiWeightMap(files, name));
  return net;
}

const plainBox = (b: FaceApiRect): FaceApiRect => ({ x: b.x, y: b.y, width: b.width, height: b.height });

export async function createSsd(api: FaceApiModule, files: ModelFiles) {
  const net = await loadNet(new api.SsdMobilenetv1(), files, FACE_API_WEIGHTS.ssd);
  return {
    async detect(image: tf.Tensor3D, minScore: number): Promise<RawFace[]> {
      const found = await net.locateFaces(image, new api.SsdMobilenetv1Options({ minConfidence: minScore, maxResults: 100 }));
      return found.map((d) => ({ box: plainBox(d.box), score: d.score }));
    },
    dispose: () => net.dispose(),
  };
}

export async function createTiny(api: FaceApiModule, files: ModelFiles) {
  const net = await loadNet(new api.TinyFaceDetector(), files, FACE_API_WEIGHTS.tiny);
  return {
    async detect(image: tf.Tensor3D, minScore: number, inputSize: number): Promise<RawFace[]> {
      const found = await net.locateFaces(image, new api.TinyFaceDetectorOptions({ inputSize, scoreThreshold: minScore }));
      return found.map((d) => ({ box: plainBox(d.box), score: d.score }));
    },
    dispose: () => net.dispose(),
  };
}

const mean = (pts: Point[]): Point => ({
  x: pts.reduce((s, p) => s + p.x, 0) / pts.length,
  y: pts.reduce((s, p) => s + p.y, 0) / pts.length,
});

/** face-api's 68-point landmark net, run on the box's pixels; points in original pixels. */
export async function createLandmarks68(api: FaceApiModule, files: ModelFiles) {
  const net = await loadNet(new api.FaceLandmark68Net(), files, FACE_API_WEIGHTS.landmarks68);
  return {
    async landmarks(image: tf.Tensor3D, box: FaceApiRect): Promise<Pick<RawFace, 'eyes' | 'landmarks'> | null> {
      const [face, ...rest] = await api.extractFaceTensors(image, [new api.Rect(box.x, box.y, box.width, box.height)]);
      tf.dispose(rest);
      if (!face) return null;
      try {
        // extractFaceTensors clips the box to the photo and floors it; shift by what it kept.
        const x0 = Math.floor(Math.max(0, box.x));
        const y0 = Math.floor(Math.max(0, box.y));
        const lm = await net.detectLandmarks(face);
        const shift = (p: Point): Point => ({ x: p.x + x0, y: p.y + y0 });
        const e1 = shift(mean(lm.getLeftEye()));
        const e2 = shift(mean(lm.getRightEye()));
        return { eyes: e1.x <= e2.x ? { left: e1, right: e2 } : { left: e2, right: e1 }, landmarks: lm.positions.map(shift) };
      } finally {
        face.dispose();
      }
    },
    dispose: () => net.dispose(),
  };
}
