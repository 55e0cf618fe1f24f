import * as tf from '@tensorflow/tfjs-core';
import type { ModelFiles, ModelPackage } from './model-files.ts';

function toArrayBuffer(u8: Uint8Array): ArrayBuffer {
  return u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength) as ArrayBuffer;
}

type WeightsGroup = { paths: string[]; weights: tf.io.WeightsManifestEntry[] };

async function readWeightData(files: ModelFiles, pkg: ModelPackage, groups: WeightsGroup[]): Promise<ArrayBuffer> {
  const shards = await Promise.all(groups.flatMap((g) => g.paths).map((p) => files.read(pkg, p)));
  const total = shards.reduce((n, s) => n + s.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const s of shards) {
    out.set(s, at);
    at += s.byteLength;
  }
  return toArrayBuffer(out);
}

/** A face-api net's weights by name (`<name>-weights_manifest.json` + shards), dequantised by tfjs. */
export async function readFaceApiWeightMap(files: ModelFiles, name: string): Promise<tf.NamedTensorMap> {
  const manifestPath = `${name}-weights_manifest.json`;
  const groups = JSON.parse(new TextDecoder().decode(await files.read('@vladmandic/face-api', manifestPath))) as WeightsGroup[];
  const data = await readWeightData(files, '@vladmandic/face-api', groups);
  return tf.io.decodeWeights(data, groups.flatMap((g) => g.weights));
}

/** A tfjs graph model file (`<name>.json` + shards) as the artifacts tf.loadGraphModel takes. */
export async function readGraphModelArtifacts(files: ModelFiles, pkg: ModelPackage, jsonPath: string): Promise<tf.io.ModelArtifacts> {
  const json = JSON.parse(new TextDecoder().decode(await files.read(pkg, jsonPath))) as tf.io.ModelJSON;
  const dir = jsonPath.includes('/') ? jsonPath.slice(0, jsonPath.lastIndexOf('/') + 1) : '';
  const groups = json.weightsManifest.map((g) => ({ ...g, paths: g.paths.map((p) => dir + p) }));
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    userDefinedMetadata: json.userDefinedMetadata,
    weightSpecs: groups.flatMap((g) => g.weights),
    weightData: await readWeightData(files, pkg, groups),
  };
}
