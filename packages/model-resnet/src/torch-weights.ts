import { readSafetensors, serializeSafetensors, tensorF32, writeSafetensors, type SafeTensor, type SafetensorsFile, type TensorToWrite } from '@facemask/engine';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { layers } from '@tensorflow/tfjs-layers';
import { isExtraBackboneLayer } from './extra-backbones.ts';
import { FEATURE_NORM } from './heads.ts';
import { BN_CLASSES, CONV_CLASSES } from './layer-kinds.ts';

/**
 * torchvision state_dict <-> LayersModel. Layer names are module paths, so a layer 'layer1.0.conv1'
 * owns the key 'layer1.0.conv1.weight'. Layouts: conv OIHW <-> HWIO, Linear [out,in] <-> [in,out],
 * BatchNorm weight/bias/running_mean/running_var <-> gamma/beta/moving_mean/moving_variance.
 * num_batches_tracked is ignored on import and written as 0 on export (torch's load_state_dict
 * wants the key; it only matters for momentum=None).
 */

type Layer = layers.Layer;

interface KeySpec {
  key: string;
  layer: Layer;
  /** Index into layer.getWeights(). */
  index: number;
  /** Shape in torch layout. */
  torchShape: number[];
  toTorch: (t: tf.Tensor) => tf.Tensor;
  fromTorch: (t: tf.Tensor) => tf.Tensor;
}

const same = (t: tf.Tensor) => tf.clone(t);
const hwioToOihw = (t: tf.Tensor) => tf.transpose(t, [3, 2, 0, 1]);
const oihwToHwio = (t: tf.Tensor) => tf.transpose(t, [2, 3, 1, 0]);
const transpose2d = (t: tf.Tensor) => tf.transpose(t, [1, 0]);
/** Depthwise HWC1 (multiplier 1) <-> torch grouped conv [C,1,H,W]. */
const hwc1ToC1hw = (t: tf.Tensor) => tf.transpose(t, [2, 3, 0, 1]);
const c1hwToHwc1 = (t: tf.Tensor) => tf.transpose(t, [2, 3, 0, 1]);


/** Whether a layer belongs to the classifier head (its keys may be skipped on partial loads). */
export function isHeadLayer(layer: Layer): boolean {
  return layer.getClassName() === 'Dense' || layer.name === FEATURE_NORM;
}

/** The torch state_dict keys of a model, in layer order, with their shapes and layout converters. */
export function stateDictSpec(model: LayersModel): KeySpec[] {
  const specs: KeySpec[] = [];
  for (const layer of model.layers) {
    const shapes = layer.weights.map((w) => w.shape as number[]);
    // An extra backbone loads its own weights: no torch state_dict holds them.
    if (shapes.length === 0 || isExtraBackboneLayer(layer.name)) continue;
    const cls = layer.getClassName();
    const add = (suffix: string, index: number, toTorch: KeySpec['toTorch'], fromTorch: KeySpec['fromTorch'], torchShape: number[]) =>
      specs.push({ key: `${layer.name}.${suffix}`, layer, index, torchShape, toTorch, fromTorch });
    const s = (i: number) => shapes[i] as number[];
    if (CONV_CLASSES.has(cls)) {
      const [h, w, i, o] = s(0) as [number, number, number, number];
      add('weight', 0, hwioToOihw, oihwToHwio, [o, i, h, w]);
      if (shapes.length > 1) add('bias', 1, same, same, s(1));
    } else if (cls === 'DepthwiseConv2D') {
      const [h, w, c, m] = s(0) as [number, number, number, number];
      if (m !== 1) throw new Error(`layer ${layer.name}: depth multiplier ${m} has no torch equivalent here`);
      add('weight', 0, hwc1ToC1hw, c1hwToHwc1, [c, 1, h, w]);
      if (shapes.length > 1) add('bias', 1, same, same, s(1));
    } else if (cls === 'Dense') {
      const [i, o] = s(0) as [number, number];
      add('weight', 0, transpose2d, transpose2d, [o, i]);
      if (shapes.length > 1) add('bias', 1, same, same, s(1));
    } else if (BN_CLASSES.has(cls)) {
      ['weight', 'bias', 'running_mean', 'running_var'].forEach((suffix, i) => add(suffix, i, same, same, s(i)));
    } else if (cls === 'ChannelAffine') {
      add('weight', 0, same, same, s(0));
      add('bias', 1, same, same, s(1));
    } else {
      throw new Error(`layer ${layer.name} (${cls}) has weights with no torch state_dict mapping`);
    }
  }
  return specs;
}

function bnLayerNames(model: LayersModel): string[] {
  return model.layers.filter((l) => BN_CLASSES.has(l.getClassName())).map((l) => l.name);
}

/** The model's weights as a torch state_dict (float32, torch layouts, plus num_batches_tracked). */
export function exportStateDict(model: LayersModel): Map<string, TensorToWrite> {
  const out = new Map<string, TensorToWrite>();
  const weightsOf = new Map<Layer, tf.Tensor[]>();
  for (const spec of stateDictSpec(model)) {
    let ws = weightsOf.get(spec.layer);
    if (!ws) weightsOf.set(spec.layer, (ws = spec.layer.getWeights()));
    const t = tf.tidy(() => spec.toTorch(ws[spec.index] as tf.Tensor));
    out.set(spec.key, { dtype: 'F32', shape: spec.torchShape, data: t.dataSync() as Float32Array });
    t.dispose();
  }
  for (const name of bnLayerNames(model)) {
    out.set(`${name}.num_batches_tracked`, { dtype: 'I64', shape: [], data: new BigInt64Array([0n]) });
  }
  return out;
}

export function exportStateDictBytes(model: LayersModel, metadata: Record<string, string> = {}): Uint8Array {
  return serializeSafetensors(exportStateDict(model), { format: 'pt', ...metadata });
}

/** Writes the model as a torchvision-style .safetensors state_dict (atomically). */
export async function saveTorchSafetensors(model: LayersModel, path: string, metadata: Record<string, string> = {}): Promise<void> {
  await writeSafetensors(path, exportStateDict(model), { format: 'pt', arch: model.name, ...metadata });
}

export interface LoadReport {
  /** Keys copied into the model. */
  loaded: string[];
  /** Head keys left at their initial values, with the reason. */
  skipped: { key: string; reason: string }[];
}

export interface LoadOptions {
  /** Receives one line per skipped head key. Default console.log. */
  log?: (line: string) => void;
}

/**
 * Copies a torch state_dict into the model. The backbone must match exactly (every key present,
 * same shapes, nothing unexpected), else it throws naming the file and the keys. Head keys (dense
 * layers such as fc) are skipped with a log line when the model's head differs, e.g. when
 * numClasses is not the file's or the head is 'multi': the usual pretrained-backbone start.
 */
export async function loadTorchSafetensors(model: LayersModel, source: string | SafetensorsFile, opts: LoadOptions = {}): Promise<LoadReport> {
  const file = typeof source === 'string' ? await readSafetensors(source) : source;
  const where = typeof source === 'string' ? source : '<state_dict>';
  const log = opts.log ?? ((line: string) => console.log(line));
  const specs = stateDictSpec(model);
  const wanted = new Set(specs.map((s) => s.key));
  const headLayerNames = new Set(model.layers.filter(isHeadLayer).map((l) => l.name));
  const report: LoadReport = { loaded: [], skipped: [] };
  const problems: string[] = [];

  const skip = (key: string, reason: string) => {
    report.skipped.push({ key, reason });
    log(`${where}: skipped ${key}: ${reason}`);
  };
  const looksLikeHeadKey = (key: string) => /^fc[._]/.test(key) || [...headLayerNames].some((n) => key.startsWith(`${n}.`));

  for (const key of file.tensors.keys()) {
    if (key.endsWith('.num_batches_tracked') || wanted.has(key)) continue;
    if (looksLikeHeadKey(key)) skip(key, `the model has no such head layer (head: ${[...headLayerNames].join(', ') || 'none'})`);
    else problems.push(`unexpected key ${key}`);
  }

  // getWeights() hands out the live variables: only the tensors made here may be disposed.
  const values = new Map<Layer, tf.Tensor[]>();
  const created: tf.Tensor[] = [];
  for (const spec of specs) {
    const t: SafeTensor | undefined = file.tensors.get(spec.key);
    const head = isHeadLayer(spec.layer);
    if (!t) {
      if (head) skip(spec.key, 'not in the file; keeps its initial values');
      else problems.push(`missing key ${spec.key}`);
      continue;
    }
    if (t.shape.join() !== spec.torchShape.join()) {
      const msg = `shape [${t.shape}] in the file, the model wants [${spec.torchShape}]`;
      if (head) skip(spec.key, `${msg}; keeps its initial values`);
      else problems.push(`${spec.key}: ${msg}`);
      continue;
    }
    let arr = values.get(spec.layer);
    if (!arr) values.set(spec.layer, (arr = spec.layer.getWeights()));
    const fromFile = tf.tensor(tensorF32(t), t.shape, 'float32');
    const converted = tf.tidy(() => spec.fromTorch(fromFile));
    fromFile.dispose();
    arr[spec.index] = converted;
    created.push(converted);
    report.loaded.push(spec.key);
  }

  if (problems.length > 0) {
    tf.dispose(created);
    const shown = problems.slice(0, 8).join('; ') + (problems.length > 8 ? `; ... (${problems.length} problems)` : '');
    throw new Error(
      `${where} does not fit model ${model.name}: ${shown}. Use the state_dict of the same torchvision architecture ` +
        `(and widthMultiplier 1).`,
    );
  }
  for (const [layer, ts] of values) layer.setWeights(ts);
  tf.dispose(created);
  return report;
}
