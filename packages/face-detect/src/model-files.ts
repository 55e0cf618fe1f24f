import type { DetectorName } from './options.ts';

/*
 * Which files each network consists of, without tfjs: the detect stage's cache key (node/identity.ts)
 * hashes them in the Nx plugin, which must not load tfjs.
 */

/** The packages whose tarballs carry the weights. */
export type ModelPackage = '@vladmandic/face-api' | '@vladmandic/human';

/**
 * Reads a model file shipped inside a package, by its path relative to the package's model
 * folder (`model/` in face-api, `models/` in Human). Node reads the installed package
 * (node/identity.ts); a browser page would fetch the same files from where it serves them.
 */
export interface ModelFiles {
  read(pkg: ModelPackage, path: string): Promise<Uint8Array>;
}

/** Each package's model folder. */
export const MODEL_DIR: Record<ModelPackage, string> = { '@vladmandic/face-api': 'model', '@vladmandic/human': 'models' };

/** face-api's weight files per net (`model/<name>-weights_manifest.json`). */
export const FACE_API_WEIGHTS = {
  ssd: 'ssd_mobilenetv1_model',
  tiny: 'tiny_face_detector_model',
  landmarks68: 'face_landmark_68_model',
} as const;

/** Human's BlazeFace graph (`models/blazeface.json` + its .bin). */
export const BLAZEFACE_GRAPH = 'blazeface.json';

export type ModelName = DetectorName | 'landmarks68';

/** The manifest or graph file of each network. */
export const MODEL_OF: Record<ModelName, { pkg: ModelPackage; file: string }> = {
  ssd: { pkg: '@vladmandic/face-api', file: `${FACE_API_WEIGHTS.ssd}-weights_manifest.json` },
  tiny: { pkg: '@vladmandic/face-api', file: `${FACE_API_WEIGHTS.tiny}-weights_manifest.json` },
  landmarks68: { pkg: '@vladmandic/face-api', file: `${FACE_API_WEIGHTS.landmarks68}-weights_manifest.json` },
  blazeface: { pkg: '@vladmandic/human', file: BLAZEFACE_GRAPH },
};

/** Every file a model consists of (manifest/graph plus shards), for identity hashing. */
export async function modelFileList(files: ModelFiles, pkg: ModelPackage, manifestOrGraph: string): Promise<string[]> {
  type Groups = { paths: string[] }[];
  const parsed = JSON.parse(new TextDecoder().decode(await files.read(pkg, manifestOrGraph))) as Groups | { weightsManifest: Groups };
  const groups = Array.isArray(parsed) ? parsed : parsed.weightsManifest;
  return [manifestOrGraph, ...groups.flatMap((g) => g.paths)];
}
