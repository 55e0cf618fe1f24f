import { MODEL_FOLDER_FILES, type FaceCropRule } from '@facemask/contracts/browser';
import { createDetector, MODEL_DIR, type DetectorModules, type ModelFiles, type ModelPackage } from '@facemask/face-detect';
import type { FaceFinder } from './crop.ts';

/**
 * A face-crop model's detector: @facemask/face-detect's, with the detect stage's options and the
 * weights the export copied into the model folder (detectors/), so `pnpm predict` and the kiosk
 * page find the faces the training photos were cropped around. Browser-safe: the caller brings
 * face-api's and Human's builds and a reader of the folder's files.
 */

/** The folder's copy of a package's model file (`path` relative to the package's model folder, as ModelFiles reads). */
export function detectorFilePath(pkg: ModelPackage, path: string): string {
  return MODEL_FOLDER_FILES.detectorFile(pkg, `${MODEL_DIR[pkg]}/${path}`);
}

/** ModelFiles over a model folder, given a reader of its files by relative path. */
export function folderModelFiles(read: (relPath: string) => Promise<Uint8Array>): ModelFiles {
  return { read: (pkg, path) => read(detectorFilePath(pkg, path)) };
}

export interface FaceFinderSource {
  modules: DetectorModules;
  /** Reads a file of the model folder by its relative path. */
  read: (relPath: string) => Promise<Uint8Array>;
  /** tfjs-backend-wasm's binary folder, when the active backend is wasm. */
  wasmPath?: string;
}

/** Loads the rule's detectors on the active tfjs backend. */
export function createFaceFinder(rule: FaceCropRule, src: FaceFinderSource): Promise<FaceFinder> {
  return createDetector(rule.detect, { modules: src.modules, files: folderModelFiles(src.read), ...(src.wasmPath ? { wasmPath: src.wasmPath } : {}) });
}
