import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { IMAGENET_NORMALIZATION } from '@facemask/contracts';
import { layers, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { BilinearResize, ChannelAffine } from './custom-layers.ts';

/**
 * A second frozen backbone beside the main one (model.extraBackbones: ["faceres"]): the
 * MobileNet-v1 of Human's "faceres" model (HSE-FaceRes, A. Savchenko), trained on VGGFace2 to
 * tell people apart and kept frozen while age and gender heads were trained on it with the IMDB
 * faces of IMDB-WIKI (HSE_FaceRec_tf's age_gender_train.py; UTKFace served only as its test set).
 * Its 1024 pooled features carry age and gender cues that the dlib face-recognition ResNet's do
 * less; the head reads them beside the main backbone's.
 *
 * Rebuilt as LayersModel layers, so a fold's model (and an exported one, and the kiosk's) holds it
 * like any other layer: conv -> bias -> ReLU6 for the stem and each pointwise conv, depthwise conv
 * with its BatchNorm scale folded into the kernel -> bias -> ReLU6, then the global mean. It takes
 * the toolkit's normalised input, turns it back into 0..255 pixels (what the model was fed) with
 * 'faceres.input_adapter' and resizes it to 224x224 as Human does (bilinear, corners not aligned).
 * Its own age and gender outputs are not used: the head learns from the pooled features.
 */

export const FACERES_PREFIX = 'faceres.';
export const FACERES_INPUT_SIZE = 224;
export const FACERES_FEATURES = 1024;
/** The branch's last layer: its pooled features, concatenated after the main backbone's. */
export const FACERES_POOL = `${FACERES_PREFIX}pool`;

/** MobileNet-v1's 13 depthwise/pointwise blocks: the depthwise stride and the pointwise width. */
const BLOCKS: readonly { stride: number; filters: number }[] = [
  { stride: 1, filters: 64 },
  { stride: 2, filters: 128 },
  { stride: 1, filters: 128 },
  { stride: 2, filters: 256 },
  { stride: 1, filters: 256 },
  { stride: 2, filters: 512 },
  ...Array.from({ length: 5 }, () => ({ stride: 1, filters: 512 })),
  { stride: 2, filters: 1024 },
  { stride: 1, filters: 1024 },
];

const relu6 = (name: string, x: SymbolicTensor) => layers.reLU({ name, maxValue: 6 }).apply(x) as SymbolicTensor;

/** The branch on the model's (normalised) input: [N, 1024]. Never trainable. */
export function faceresBranch(input: SymbolicTensor): SymbolicTensor {
  const p = FACERES_PREFIX;
  let x = new ChannelAffine({ name: `${p}input_adapter`, trainable: false }).apply(input) as SymbolicTensor;
  x = new BilinearResize({ name: `${p}resize`, height: FACERES_INPUT_SIZE, width: FACERES_INPUT_SIZE }).apply(x) as SymbolicTensor;
  x = layers.conv2d({ name: `${p}conv1`, filters: 32, kernelSize: 3, strides: 2, padding: 'same', useBias: true, trainable: false }).apply(x) as SymbolicTensor;
  x = relu6(`${p}conv1_relu`, x);
  BLOCKS.forEach((b, i) => {
    const k = i + 1;
    x = layers.depthwiseConv2d({ name: `${p}conv_dw_${k}`, kernelSize: 3, strides: b.stride, padding: 'same', useBias: true, trainable: false }).apply(x) as SymbolicTensor;
    x = relu6(`${p}conv_dw_${k}_relu`, x);
    x = layers.conv2d({ name: `${p}conv_pw_${k}`, filters: b.filters, kernelSize: 1, padding: 'same', useBias: true, trainable: false }).apply(x) as SymbolicTensor;
    x = relu6(`${p}conv_pw_${k}_relu`, x);
  });
  return layers.globalAveragePooling2d({ name: FACERES_POOL }).apply(x) as SymbolicTensor;
}

/** Sets the input adapter so normalised input ((p/255 - mean)/std) reaches the stem as p: x*255*std + 255*mean. */
export function setFaceresInputAdapter(model: LayersModel, mean: readonly number[] = IMAGENET_NORMALIZATION.mean, std: readonly number[] = IMAGENET_NORMALIZATION.std): void {
  const layer = model.getLayer(`${FACERES_PREFIX}input_adapter`);
  const scale = tf.tensor1d(std.map((s) => 255 * s));
  const shift = tf.tensor1d(mean.map((m) => 255 * m));
  layer.setWeights([scale, shift]);
  tf.dispose([scale, shift]);
}

/** Human's model folder (an npm dependency: nothing is downloaded). */
export function humanModelDir(): string {
  // The package's exports hide package.json; its main entry lies in dist/ (resolved, not loaded).
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/human')), '..', 'models');
}

/** The faceres graph's weights by name, dequantised (float16 in the package) by tfjs' own decoder. */
export async function readFaceresWeights(dir = humanModelDir()): Promise<tf.NamedTensorMap> {
  const jsonPath = join(dir, 'faceres.json');
  let manifest: { weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  try {
    manifest = JSON.parse(await readFile(jsonPath, 'utf8')) as typeof manifest;
  } catch (err) {
    throw new Error(`cannot read ${jsonPath}: ${(err as Error).message} (model.extraBackbones "faceres" needs @vladmandic/human installed: pnpm install)`);
  }
  const out: tf.NamedTensorMap = {};
  for (const group of manifest.weightsManifest) {
    const buf = Buffer.concat(await Promise.all(group.paths.map((p) => readFile(join(dir, p)))));
    Object.assign(out, tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), group.weights));
  }
  return out;
}

/**
 * Loads the faceres weights into a model's faceres layers. The graph's ReLU6 clip constants are
 * checked (a model whose activations are not ReLU6 is not this one), and every depthwise kernel
 * takes its BatchNorm scale (the graph multiplies after the depthwise conv).
 */
export async function loadFaceresWeights(model: LayersModel, dir = humanModelDir()): Promise<void> {
  const w = await readFaceresWeights(dir);
  try {
    const take = (name: string, shape?: readonly number[]): tf.Tensor => {
      const t = w[name];
      if (!t) throw new Error(`faceres weights in ${dir} lack ${name}`);
      if (shape && t.shape.join() !== shape.join()) throw new Error(`faceres weight ${name} has shape [${t.shape}], the layer wants [${shape}]`);
      return t;
    };
    const clip = (unit: string) => {
      const hi = take(`${unit}_relu/Cast`).dataSync()[0];
      const lo = take(`${unit}_relu/Const_1`).dataSync()[0];
      if (hi !== 6 || lo !== 0) throw new Error(`faceres ${unit} clips to [${lo}, ${hi}], not ReLU6's [0, 6]: not the MobileNet this branch rebuilds`);
    };
    const set = (layerName: string, values: tf.Tensor[]) => {
      const layer = model.getLayer(`${FACERES_PREFIX}${layerName}`);
      const shapes = layer.weights.map((v) => v.shape as number[]);
      values.forEach((v, i) => {
        if (v.shape.join() !== (shapes[i] ?? []).join()) throw new Error(`faceres weight for ${layer.name} has shape [${v.shape}], the layer wants [${shapes[i]}]`);
      });
      layer.setWeights(values);
    };
    clip('conv1');
    set('conv1', [take('conv1/convolution/merged_input'), take('conv1_bn/batchnorm_1/sub')]);
    for (let k = 1; k <= BLOCKS.length; k++) {
      clip(`conv_dw_${k}`);
      clip(`conv_pw_${k}`);
      const scaled = tf.tidy(() => tf.mul(take(`conv_dw_${k}/depthwise_kernel`), tf.reshape(take(`conv_dw_${k}_bn/batchnorm_1/mul`), [1, 1, -1, 1])));
      set(`conv_dw_${k}`, [scaled, take(`conv_dw_${k}_bn/batchnorm_1/sub`)]);
      scaled.dispose();
      set(`conv_pw_${k}`, [take(`conv_pw_${k}/convolution/merged_input`), take(`conv_pw_${k}_bn/batchnorm_1/sub`)]);
    }
  } finally {
    tf.dispose(Object.values(w));
  }
}
