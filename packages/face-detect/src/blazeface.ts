import * as tf from '@tensorflow/tfjs-core';
import type { RawFace } from './faceapi.ts';
import { BLAZEFACE_GRAPH } from './model-files.ts';
import type { ModelFiles } from './model-files.ts';
import { readGraphModelArtifacts } from './models.ts';

/*
 * MediaPipe BlazeFace through @vladmandic/human's pipeline (anchors, box decoding, NMS), typed
 * structurally like faceapi.ts. Human is configured to run the detector alone: no mesh, no
 * filters, no frame cache (it would otherwise reuse the previous photo's boxes for a "similar
 * frame"), and no box enlargement, so the box is the detector's own.
 */
type HumanPoint = [number, number, number?];
interface HumanFace {
  box: [number, number, number, number];
  boxScore: number;
  mesh: HumanPoint[];
  annotations: Record<string, HumanPoint[]>;
}
interface HumanInstance {
  load(): Promise<void>;
  detect(input: tf.Tensor, config?: unknown): Promise<{ face: HumanFace[]; error?: string | null }>;
  config: { face: { detector: { minConfidence: number } } };
}
export interface HumanModule {
  Human: new (config: unknown) => HumanInstance;
}

const routes = new Map<string, ModelFiles>();
let routerRegistered = false;
const SCHEME = 'facemask-models://';

/** Lets Human's loader (tf.loadGraphModel on a URL) read the packaged files through ModelFiles. */
function routeFor(files: ModelFiles): string {
  if (!routerRegistered) {
    // tfjs' IORouter type says IOHandler, but its registry skips routers that return null.
    tf.io.registerLoadRouter(((url: string | string[]) => {
      if (typeof url !== 'string' || !url.startsWith(SCHEME)) return null;
      const rest = url.slice(SCHEME.length);
      const slash = rest.indexOf('/');
      const source = routes.get(rest.slice(0, slash));
      if (!source) return null;
      return { load: () => readGraphModelArtifacts(source, '@vladmandic/human', rest.slice(slash + 1)) };
    }) as Parameters<typeof tf.io.registerLoadRouter>[0]);
    routerRegistered = true;
  }
  for (const [key, value] of routes) if (value === files) return `${SCHEME}${key}/`;
  const key = `m${routes.size}`;
  routes.set(key, files);
  return `${SCHEME}${key}/`;
}

function humanConfig(files: ModelFiles, backend: string, wasmPath: string | undefined) {
  const off = { enabled: false };
  return {
    backend,
    ...(wasmPath ? { wasmPath } : {}),
    modelBasePath: routeFor(files),
    debug: false,
    async: true,
    warmup: 'none',
    cacheModels: false,
    cacheSensitivity: 0,
    filter: { enabled: false, equalization: false, autoBrightness: false },
    face: {
      enabled: true,
      detector: {
        modelPath: BLAZEFACE_GRAPH,
        rotation: false,
        maxDetected: 20,
        skipFrames: 0,
        skipTime: 0,
        minConfidence: 0.5,
        iouThreshold: 0.1,
        scale: 1,
        return: false,
      },
      mesh: off,
      iris: off,
      attention: off,
      emotion: off,
      description: off,
      antispoof: off,
      liveness: off,
      gear: off,
    },
    body: off,
    hand: off,
    object: off,
    gesture: off,
    segmentation: off,
  };
}

const point = (p: HumanPoint | undefined) => (p ? { x: p[0], y: p[1] } : undefined);

/**
 * `wasmPath`: the folder of tfjs-backend-wasm's binaries, needed when the active backend is wasm
 * (Human sets it again when it initialises; the same folder keeps that a no-op).
 */
export async function createBlazeface(api: HumanModule, files: ModelFiles, wasmPath?: string) {
  const human = new api.Human(humanConfig(files, tf.getBackend(), wasmPath));
  await human.load();
  return {
    async detect(image: tf.Tensor3D, minScore: number): Promise<RawFace[]> {
      human.config.face.detector.minConfidence = minScore;
      const result = await human.detect(image);
      if (result.error) throw new Error(`blazeface (Human): ${result.error}`);
      return result.face.map((f) => {
        const [x, y, width, height] = f.box;
        const a = point(f.annotations.leftEye?.[0]);
        const b = point(f.annotations.rightEye?.[0]);
        const eyes = a && b ? (a.x <= b.x ? { left: a, right: b } : { left: b, right: a }) : undefined;
        return {
          box: { x, y, width, height },
          score: f.boxScore,
          ...(eyes ? { eyes } : {}),
          landmarks: f.mesh.map((p) => ({ x: p[0], y: p[1] })),
        };
      });
    },
    dispose: () => {},
  };
}
