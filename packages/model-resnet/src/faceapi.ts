import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { IMAGENET_NORMALIZATION } from '@facemask/contracts';
import { input as tfInput, layers, model as tfModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { ChannelAffine, ChannelZeroPad, TorchReLU } from './custom-layers.ts';
import { isExtraBackboneLayer } from './extra-backbones.ts';
import { Init } from './init.ts';

/**
 * face-api's FaceRecognitionNet (dlib's face-recognition ResNet: 29 conv layers, widths 32..256,
 * 150x150 input, 128-d descriptor) rebuilt as a trainable LayersModel. Every conv is
 * conv(+bias) -> per-channel affine ("scale", BatchNorm folded in by dlib) -> ReLU; a down-sampling
 * block's shortcut is a 2x2 average pool with zero channels appended, and its residual branch is
 * zero-padded at the bottom/right when the pool's output is one pixel larger (as face-api does).
 * Layer names follow face-api's weight names with '/' -> '.': conv32_down.conv, conv64_1.conv2.scale.
 *
 * face-api feeds (pixels - meanRgb) / 255. This model instead takes the toolkit's normalised input
 * ((pixels / 255 - mean) / std) and turns it back with a fixed first layer, 'input_adapter'.
 */

export const FACE_API_MEAN_RGB = [122.782, 117.001, 104.298] as const;
export const IMAGENET_MEAN = IMAGENET_NORMALIZATION.mean;
export const IMAGENET_STD = IMAGENET_NORMALIZATION.std;
export const FACE_API_INPUT_SIZE = 150;
export const FACE_API_DESCRIPTOR_SIZE = 128;

type Block = { name: string; filters: number; down: boolean };

/** face-api's blocks in forward order; the stage of a block is its width's index + 1. */
export const FACE_API_BLOCKS: readonly Block[] = [
  ...['conv32_1', 'conv32_2', 'conv32_3'].map((name) => ({ name, filters: 32, down: false })),
  { name: 'conv64_down', filters: 64, down: true },
  ...['conv64_1', 'conv64_2', 'conv64_3'].map((name) => ({ name, filters: 64, down: false })),
  { name: 'conv128_down', filters: 128, down: true },
  ...['conv128_1', 'conv128_2'].map((name) => ({ name, filters: 128, down: false })),
  { name: 'conv256_down', filters: 256, down: true },
  ...['conv256_1', 'conv256_2'].map((name) => ({ name, filters: 256, down: false })),
  { name: 'conv256_down_out', filters: 256, down: true },
];

function convUnit(init: Init, x: SymbolicTensor, prefix: string, filters: number, k: number, stride: number, padding: 'same' | 'valid', withRelu: boolean): SymbolicTensor {
  let out = layers
    .conv2d({ name: `${prefix}.conv`, filters, kernelSize: k, strides: stride, padding, useBias: true, kernelInitializer: init.conv(`${prefix}.conv`) })
    .apply(x) as SymbolicTensor;
  out = new ChannelAffine({ name: `${prefix}.scale` }).apply(out) as SymbolicTensor;
  return withRelu ? (new TorchReLU({ name: `${prefix}.relu` }).apply(out) as SymbolicTensor) : out;
}

function residualBlock(init: Init, x: SymbolicTensor, b: Block): SymbolicTensor {
  let out = b.down
    ? convUnit(init, x, `${b.name}.conv1`, b.filters, 3, 2, 'valid', true)
    : convUnit(init, x, `${b.name}.conv1`, b.filters, 3, 1, 'same', true);
  out = convUnit(init, out, `${b.name}.conv2`, b.filters, 3, 1, 'same', false);
  let shortcut = x;
  if (b.down) {
    shortcut = layers.averagePooling2d({ name: `${b.name}.pool`, poolSize: 2, strides: 2, padding: 'valid' }).apply(x) as SymbolicTensor;
    const dh = (shortcut.shape[1] as number) - (out.shape[1] as number);
    const dw = (shortcut.shape[2] as number) - (out.shape[2] as number);
    if (dh < 0 || dw < 0 || dh > 1 || dw > 1) throw new Error(`${b.name}: cannot align shortcut [${shortcut.shape}] with [${out.shape}]`);
    if (dh || dw) out = layers.zeroPadding2d({ name: `${b.name}.pad`, padding: [[0, dh], [0, dw]] }).apply(out) as SymbolicTensor;
    if (shortcut.shape[3] !== b.filters) {
      shortcut = new ChannelZeroPad({ name: `${b.name}.pool_pad`, channels: b.filters }).apply(shortcut) as SymbolicTensor;
    }
  }
  const sum = layers.add({ name: `${b.name}.add` }).apply([out, shortcut]) as SymbolicTensor;
  return new TorchReLU({ name: `${b.name}.out` }).apply(sum) as SymbolicTensor;
}

/** The backbone up to the global average pool ('avgpool', [N,256]). */
export function faceApiBackbone(init: Init, input: SymbolicTensor): SymbolicTensor {
  let x = new ChannelAffine({ name: 'input_adapter', trainable: false }).apply(input) as SymbolicTensor;
  x = convUnit(init, x, 'conv32_down', 32, 7, 2, 'valid', true);
  x = layers.maxPooling2d({ name: 'maxpool', poolSize: 3, strides: 2, padding: 'valid' }).apply(x) as SymbolicTensor;
  for (const b of FACE_API_BLOCKS) x = residualBlock(init, x, b);
  return layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as SymbolicTensor;
}

/** face-api's 128-d descriptor layer (no bias) on the pooled features. */
export function faceApiDescriptorLayer(init: Init, features: SymbolicTensor): SymbolicTensor {
  return layers
    .dense({ name: 'descriptor', units: FACE_API_DESCRIPTOR_SIZE, useBias: false, kernelInitializer: init.denseKernel('descriptor') })
    .apply(features) as SymbolicTensor;
}

const STAGE_OF_WIDTH: Record<string, number> = { '32': 1, '64': 2, '128': 3, '256': 4 };

/** 0 for the stem, 1..4 per width (32, 64, 128, 256), 'fixed' for the input adapter, else 'head'. */
export function faceApiStageOf(layerName: string): number | 'head' | 'fixed' {
  if (layerName === 'input_adapter') return 'fixed';
  if (layerName === 'input' || layerName === 'maxpool' || layerName.startsWith('conv32_down.')) return 0;
  const m = /^conv(32|64|128|256)_/.exec(layerName);
  if (m) return STAGE_OF_WIDTH[m[1] as string] as number;
  return 'head';
}

/**
 * Sets the input adapter so that normalised input ((p/255 - mean)/std) reaches the first conv as
 * face-api's (p - meanRgb)/255 = x*std + mean - meanRgb/255.
 */
export function setFaceApiInputAdapter(model: LayersModel, mean: readonly number[] = IMAGENET_MEAN, std: readonly number[] = IMAGENET_STD): void {
  const layer = model.getLayer('input_adapter');
  const scale = tf.tensor1d([...std]);
  const shift = tf.tensor1d(mean.map((m, i) => m - (FACE_API_MEAN_RGB[i] as number) / 255));
  layer.setWeights([scale, shift]);
  scale.dispose();
  shift.dispose();
}

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

/** Folder of face-api's bundled weights (node_modules/@vladmandic/face-api/model). */
export function faceApiModelDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

/**
 * face-api's face-recognition weights as float32 arrays by name, dequantised as the manifest
 * says: value = q * scale + min for uint8/uint16 quantisation (what tf.io.decodeWeights does).
 */
export async function readFaceApiWeights(dir = faceApiModelDir()): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const manifestPath = join(dir, 'face_recognition_model-weights_manifest.json');
  let groups: { paths: string[]; weights: ManifestWeight[] }[];
  try {
    groups = JSON.parse(await readFile(manifestPath, 'utf8')) as typeof groups;
  } catch (err) {
    throw new Error(`cannot read face-api weights manifest ${manifestPath}: ${(err as Error).message} (is @vladmandic/face-api installed?)`);
  }
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const group of groups) {
    const shards = await Promise.all(group.paths.map((p) => readFile(join(dir, p))));
    const buf = Buffer.concat(shards);
    let offset = 0;
    for (const w of group.weights) {
      const count = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      const data = new Float32Array(count);
      if (!q) {
        if (w.dtype !== 'float32') throw new Error(`${manifestPath}: ${w.name} has unsupported dtype ${w.dtype}`);
        const bytes = buf.subarray(offset, offset + count * 4);
        data.set(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
        offset += count * 4;
      } else if ((q.dtype === 'uint8' || q.dtype === 'uint16') && q.scale !== undefined && q.min !== undefined) {
        const size = q.dtype === 'uint8' ? 1 : 2;
        for (let i = 0; i < count; i++) {
          const v = size === 1 ? buf.readUInt8(offset + i) : buf.readUInt16LE(offset + 2 * i);
          data[i] = v * q.scale + q.min;
        }
        offset += count * size;
      } else {
        throw new Error(`${manifestPath}: ${w.name} has unsupported quantization ${JSON.stringify(q)}`);
      }
      if (offset > buf.byteLength) throw new Error(`${manifestPath}: weight data ends before ${w.name}`);
      out.set(w.name, { shape: w.shape, data });
    }
    if (offset !== buf.byteLength) throw new Error(`${manifestPath}: ${buf.byteLength - offset} bytes left after the last weight`);
  }
  return out;
}

/**
 * Loads face-api's weights into a model built by faceApiBackbone: every conv, scale and (if the
 * model has it) the descriptor layer. Returns the names of the model's layers with weights it left
 * at their initial values, the new head: not face-api's unused weights, whose descriptor 'fc' is
 * unused under every head and is no layer of a multi-head model.
 */
export async function loadFaceApiWeights(model: LayersModel, dir = faceApiModelDir()): Promise<string[]> {
  const weights = await readFaceApiWeights(dir);
  const initial: string[] = [];
  const take = (name: string, shape: number[]): tf.Tensor => {
    const w = weights.get(name);
    if (!w) throw new Error(`face-api weights in ${dir} lack ${name}`);
    if (w.shape.join() !== shape.join()) throw new Error(`face-api weight ${name} has shape [${w.shape}], model wants [${shape}]`);
    return tf.tensor(w.data, w.shape);
  };
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const shapes = layer.weights.map((v) => v.shape as number[]);
    let values: tf.Tensor[] | null = null;
    if (layer.name === 'input_adapter' || isExtraBackboneLayer(layer.name)) continue;
    if (cls === 'Conv2D' && layer.name.endsWith('.conv')) {
      const base = layer.name.replace(/\./g, '/');
      values = [take(`${base}/filters`, shapes[0] as number[]), take(`${base}/bias`, shapes[1] as number[])];
    } else if (cls === 'ChannelAffine') {
      const base = layer.name.replace(/\./g, '/');
      values = [take(`${base}/weights`, shapes[0] as number[]), take(`${base}/biases`, shapes[1] as number[])];
    } else if (layer.name === 'descriptor') {
      values = [take('fc', shapes[0] as number[])];
    } else if (shapes.length > 0 && faceApiStageOf(layer.name) !== 'head') {
      throw new Error(`loadFaceApiWeights: no face-api weights for layer ${layer.name} (${cls})`);
    } else if (shapes.length > 0) {
      initial.push(layer.name);
    }
    if (values) {
      layer.setWeights(values);
      tf.dispose(values);
    }
  }
  return initial;
}

/**
 * face-api's whole FaceRecognitionNet (backbone + 128-d descriptor) with its weights: input
 * normalised as `mean`/`std` say, output the descriptor face-api's computeFaceDescriptor returns.
 */
export async function createFaceApiDescriptorModel(
  opts: { inputHeight?: number; inputWidth?: number; mean?: readonly number[]; std?: readonly number[]; dir?: string } = {},
): Promise<LayersModel> {
  const init = new Init(0);
  const x = tfInput({ name: 'input', shape: [opts.inputHeight ?? FACE_API_INPUT_SIZE, opts.inputWidth ?? FACE_API_INPUT_SIZE, 3] });
  const m = tfModel({ name: 'faceapi_descriptor', inputs: x, outputs: faceApiDescriptorLayer(init, faceApiBackbone(init, x)) });
  setFaceApiInputAdapter(m, opts.mean, opts.std);
  await loadFaceApiWeights(m, opts.dir);
  return m;
}
