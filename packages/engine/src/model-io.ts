import { readFile, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { writeDirAtomic } from '@facemask/contracts';

/**
 * A LayersModel as a folder in the tfjs layers-model format (model.json + weights.bin, the same
 * files tfjs-node's file:// handler writes and reads), without tfjs-node. Saving builds the folder
 * under a temporary name and swaps it in, so a crash never leaves half a model and a failed save
 * keeps the previous one.
 */

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
const RERUN = 'rerun the training step that writes it';

export class ModelFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFolderError';
  }
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: tf.io.WeightsManifestConfig;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: tf.io.TrainingConfig;
  userDefinedMetadata?: Record<string, unknown>;
}

export async function saveModel(
  model: tfl.LayersModel,
  dir: string,
  extra: { metadata?: Record<string, unknown> } = {},
): Promise<void> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  if (!artifacts?.modelTopology || artifacts.weightData === undefined) {
    throw new ModelFolderError(`saving model "${model.name}" to ${dir}: tfjs produced no topology or weights`);
  }
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const weightSpecs = artifacts.weightSpecs ?? [];
  const expected = expectedBytes(weightSpecs);
  if (expected !== null && expected !== weights.byteLength) {
    throw new ModelFolderError(`saving model "${model.name}" to ${dir}: tfjs produced ${weights.byteLength} weight bytes for specs describing ${expected}`);
  }
  const metadata = { ...(artifacts.userDefinedMetadata ?? {}), ...(extra.metadata ?? {}) };
  const json: ModelJson = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: weightSpecs }],
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    ...(Object.keys(metadata).length ? { userDefinedMetadata: metadata } : {}),
  };
  await writeDirAtomic(dir, async (tmp) => {
    // Serialised inside the build so unserialisable metadata fails the save, not the swap.
    const text = JSON.stringify(json);
    await writeFile(join(tmp, WEIGHTS_BIN), weights);
    await writeFile(join(tmp, MODEL_JSON), text);
  });
}

/** Loads a folder written by saveModel, or any tfjs layers-model folder (sharded weights too). */
export async function loadModel(dir: string): Promise<tfl.LayersModel> {
  const json = await readModelJson(dir);
  const weightSpecs = tf.io.getWeightSpecs(json.weightsManifest);
  const weightData = await readWeights(dir, json.weightsManifest, weightSpecs);
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? null,
    ...(json.trainingConfig ? { trainingConfig: json.trainingConfig } : {}),
    ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata as Record<string, object> } : {}),
  };
  try {
    return await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (err) {
    throw new ModelFolderError(
      `${join(dir, MODEL_JSON)} could not be rebuilt into a model (${(err as Error).message}); ${RERUN}`,
    );
  }
}

/** The metadata saveModel stored (model.json's userDefinedMetadata), without loading weights. */
export async function readModelMetadata(dir: string): Promise<Record<string, unknown>> {
  return (await readModelJson(dir)).userDefinedMetadata ?? {};
}

async function readModelJson(dir: string): Promise<ModelJson> {
  const path = join(dir, MODEL_JSON);
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new ModelFolderError(`${dir} does not exist or is not a folder: no saved model there; ${RERUN}`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ModelFolderError(`${path} is missing: the folder is not a saved model; ${RERUN}`);
    }
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelFolderError(`${path} is corrupt (not valid JSON: ${(err as Error).message}); ${RERUN}`);
  }
  const j = json as Partial<ModelJson> | null;
  if (
    typeof j !== 'object' ||
    j === null ||
    typeof j.modelTopology !== 'object' ||
    j.modelTopology === null ||
    !Array.isArray(j.weightsManifest) ||
    !j.weightsManifest.every((g) => Array.isArray(g?.paths) && Array.isArray(g?.weights))
  ) {
    throw new ModelFolderError(`${path} is not a tfjs layers model (needs modelTopology and weightsManifest); ${RERUN}`);
  }
  return j as ModelJson;
}

async function readWeights(
  dir: string,
  manifest: tf.io.WeightsManifestConfig,
  specs: tf.io.WeightsManifestEntry[],
): Promise<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  for (const group of manifest) {
    for (const p of group.paths) {
      const rel = normalize(p);
      if (isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) {
        throw new ModelFolderError(`${join(dir, MODEL_JSON)} names weight file "${p}" outside the folder; ${RERUN}`);
      }
      const path = join(dir, rel);
      try {
        parts.push(await readFile(path));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new ModelFolderError(`${path} is missing: the saved model in ${dir} is incomplete; ${RERUN}`);
        }
        throw err;
      }
    }
  }
  const total = parts.reduce((s, b) => s + b.byteLength, 0);
  const expected = expectedBytes(specs);
  if (expected !== null && total !== expected) {
    const files = manifest.flatMap((g) => g.paths).join(', ');
    throw new ModelFolderError(
      `${join(dir, files)} is truncated or corrupt (${total} bytes; ${MODEL_JSON} describes ${expected}); ${RERUN}`,
    );
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of parts) {
    out.set(b, offset);
    offset += b.byteLength;
  }
  return out.buffer;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/** Bytes the specs describe, or null when a string tensor makes the size data-dependent. */
function expectedBytes(specs: tf.io.WeightsManifestEntry[]): number | null {
  let total = 0;
  for (const s of specs) {
    const dtype = s.quantization?.dtype ?? s.dtype;
    const size = BYTES[dtype];
    if (size === undefined) return null;
    total += s.shape.reduce((a, b) => a * b, 1) * size;
  }
  return total;
}
