import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { io } from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { writeDirAtomic, writeFileAtomic } from './atomic.ts';

/**
 * A LayersModel as a folder on disk in the tfjs format (model.json + weights.bin), without
 * tfjs-node: saved through an in-memory IOHandler, written to a temporary folder and swapped in,
 * so a crash never leaves half a model and a failed save keeps the previous one.
 */

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

export class ModelFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFolderError';
  }
}

export async function saveModel(model: LayersModel, dir: string, extra: { metadata?: Record<string, unknown> } = {}): Promise<void> {
  let artifacts: io.ModelArtifacts | undefined;
  await model.save(
    io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  if (!artifacts?.weightData || !artifacts.modelTopology) throw new ModelFolderError(`saving ${model.name}: tfjs produced no weights`);
  const weights = new Uint8Array(io.CompositeArrayBuffer.join(artifacts.weightData));
  const json = {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
    userDefinedMetadata: extra.metadata ?? {},
  };
  await writeDirAtomic(dir, async (tmp) => {
    await writeFileAtomic(join(tmp, WEIGHTS_BIN), weights);
    await writeFileAtomic(join(tmp, MODEL_JSON), JSON.stringify(json));
  });
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: io.WeightsManifestEntry[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  userDefinedMetadata?: Record<string, unknown>;
}

async function readModelJson(dir: string): Promise<ModelJson> {
  const path = join(dir, MODEL_JSON);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ModelFolderError(`${path} is missing: ${dir} is not a saved model folder; rerun the training step that writes it`);
    }
    throw err;
  }
  let json: ModelJson;
  try {
    json = JSON.parse(text) as ModelJson;
  } catch {
    throw new ModelFolderError(`${path} is not valid JSON (a damaged model folder): rerun the training step that writes it`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new ModelFolderError(`${path} has no modelTopology/weightsManifest: not a tfjs layers model; rerun the training step that writes it`);
  }
  return json;
}

/** Loads a model folder written by saveModel (or any tfjs layers-model folder with one shard group). */
export async function loadModel(dir: string): Promise<LayersModel> {
  const json = await readModelJson(dir);
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      const path = join(dir, p);
      try {
        buffers.push(await readFile(path));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new ModelFolderError(`${path} is missing: the model folder ${dir} is incomplete; rerun the training step that writes it`);
        }
        throw err;
      }
    }
  }
  const total = buffers.reduce((s, b) => s + b.byteLength, 0);
  const expected = specs.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * bytesPerElement(w.dtype), 0);
  if (total !== expected) {
    throw new ModelFolderError(`${dir}: weights hold ${total} bytes, model.json describes ${expected}: the folder is damaged; rerun the training step that writes it`);
  }
  const weightData = new Uint8Array(total);
  let off = 0;
  for (const b of buffers) {
    weightData.set(b, off);
    off += b.byteLength;
  }
  const artifacts: io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData: weightData.buffer,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? null,
    userDefinedMetadata: json.userDefinedMetadata ?? {},
  } as io.ModelArtifacts;
  return loadLayersModel(io.fromMemory(artifacts));
}

export async function readModelMetadata(dir: string): Promise<Record<string, unknown>> {
  return (await readModelJson(dir)).userDefinedMetadata ?? {};
}

function bytesPerElement(dtype: tf.DataType): number {
  return dtype === 'bool' ? 1 : 4;
}
