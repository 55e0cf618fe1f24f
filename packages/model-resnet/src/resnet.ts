import { layers, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { TorchBatchNorm, TorchConv2D, TorchReLU, type BatchNormActivation } from './custom-layers.ts';
import type { Init } from './init.ts';

/**
 * torchvision's ResNet, layer for layer. Layer names are torchvision's module paths
 * (conv1, bn1, layer2.0.downsample.0, fc, ...) so state_dict keys map one to one; the layers
 * torchvision has no module for get descriptive names (conv1_pad, layer2.0.add, layer2.0.out).
 *
 * Padding: torch pads symmetrically. TF 'same' on a stride-2 layer pads (0,1) on even sizes, so
 * stride-2 3x3/7x7 convs and the max-pool get an explicit zeroPadding2d and 'valid'. Stride-1 3x3
 * convs use 'same', which pads (1,1) exactly like torch and spares a copy per conv. The max-pool's
 * zero padding stands in for torch's -inf: its input is a ReLU output, so zeros never win.
 */

export type BlockKind = 'basic' | 'bottleneck';

export interface ResNetSpec {
  block: BlockKind;
  /** Blocks per stage (layer1..layer4). */
  layers: [number, number, number, number];
}

export const RESNET_SPECS = {
  resnet18: { block: 'basic', layers: [2, 2, 2, 2] },
  resnet34: { block: 'basic', layers: [3, 4, 6, 3] },
  resnet50: { block: 'bottleneck', layers: [3, 4, 6, 3] },
} as const satisfies Record<string, ResNetSpec>;

/** Torch BatchNorm2d defaults: eps 1e-5, momentum 0.1 (= tfjs/Keras momentum 0.9). */
export const BN_EPSILON = 1e-5;
export const BN_MOMENTUM = 0.9;

/** A BatchNorm followed by nn.ReLU is one layer with activation 'relu' (see TorchBatchNorm). */
function bn(name: string, activation: BatchNormActivation = 'linear') {
  return new TorchBatchNorm({ name, epsilon: BN_EPSILON, momentum: BN_MOMENTUM, activation });
}

function conv(init: Init, name: string, filters: number, kernelSize: number, strides: number, padding: 'valid' | 'same') {
  return new TorchConv2D({ name, filters, kernelSize, strides, padding, kernelInitializer: init.conv(name) });
}

/** k x k conv with torch padding (k-1)/2. */
function convTorchPad(init: Init, x: SymbolicTensor, name: string, filters: number, k: number, stride: number): SymbolicTensor {
  if (stride === 1) return conv(init, name, filters, k, 1, 'same').apply(x) as SymbolicTensor;
  const p = (k - 1) / 2;
  const padded = layers.zeroPadding2d({ name: `${name}_pad`, padding: [[p, p], [p, p]] }).apply(x) as SymbolicTensor;
  return conv(init, name, filters, k, stride, 'valid').apply(padded) as SymbolicTensor;
}

function relu(name: string) {
  return new TorchReLU({ name });
}

function channels(x: SymbolicTensor): number {
  return x.shape[x.shape.length - 1] as number;
}

function basicBlock(init: Init, x: SymbolicTensor, prefix: string, planes: number, stride: number): SymbolicTensor {
  let out = convTorchPad(init, x, `${prefix}.conv1`, planes, 3, stride);
  out = bn(`${prefix}.bn1`, 'relu').apply(out) as SymbolicTensor;
  out = convTorchPad(init, out, `${prefix}.conv2`, planes, 3, 1);
  out = bn(`${prefix}.bn2`).apply(out) as SymbolicTensor;
  return merge(init, x, out, prefix, planes, stride);
}

/** torchvision v1.5 bottleneck: the stride sits on the 3x3 conv. */
function bottleneck(init: Init, x: SymbolicTensor, prefix: string, planes: number, stride: number): SymbolicTensor {
  let out = conv(init, `${prefix}.conv1`, planes, 1, 1, 'valid').apply(x) as SymbolicTensor;
  out = bn(`${prefix}.bn1`, 'relu').apply(out) as SymbolicTensor;
  out = convTorchPad(init, out, `${prefix}.conv2`, planes, 3, stride);
  out = bn(`${prefix}.bn2`, 'relu').apply(out) as SymbolicTensor;
  out = conv(init, `${prefix}.conv3`, planes * 4, 1, 1, 'valid').apply(out) as SymbolicTensor;
  out = bn(`${prefix}.bn3`).apply(out) as SymbolicTensor;
  return merge(init, x, out, prefix, planes * 4, stride);
}

function merge(init: Init, x: SymbolicTensor, out: SymbolicTensor, prefix: string, outChannels: number, stride: number): SymbolicTensor {
  let identity = x;
  if (stride !== 1 || channels(x) !== outChannels) {
    identity = conv(init, `${prefix}.downsample.0`, outChannels, 1, stride, 'valid').apply(x) as SymbolicTensor;
    identity = bn(`${prefix}.downsample.1`).apply(identity) as SymbolicTensor;
  }
  const sum = layers.add({ name: `${prefix}.add` }).apply([out, identity]) as SymbolicTensor;
  return relu(`${prefix}.out`).apply(sum) as SymbolicTensor;
}

/** Channel count scaled by the width multiplier (at least 1). */
export function scaledWidth(channels: number, widthMultiplier: number): number {
  return Math.max(1, Math.round(channels * widthMultiplier));
}

/**
 * Stem, layer1..layer4 and the global average pool ('avgpool', [N, C]) on an NHWC input.
 * Returns the pooled features.
 */
export function resnetBackbone(init: Init, input: SymbolicTensor, spec: ResNetSpec, widthMultiplier = 1): SymbolicTensor {
  const w = (c: number) => scaledWidth(c, widthMultiplier);
  let x = convTorchPad(init, input, 'conv1', w(64), 7, 2);
  x = bn('bn1', 'relu').apply(x) as SymbolicTensor;
  x = layers.zeroPadding2d({ name: 'maxpool_pad', padding: [[1, 1], [1, 1]] }).apply(x) as SymbolicTensor;
  x = layers.maxPooling2d({ name: 'maxpool', poolSize: 3, strides: 2, padding: 'valid' }).apply(x) as SymbolicTensor;
  const block = spec.block === 'basic' ? basicBlock : bottleneck;
  spec.layers.forEach((n, stage) => {
    const planes = w(64 * 2 ** stage);
    for (let b = 0; b < n; b++) {
      x = block(init, x, `layer${stage + 1}.${b}`, planes, b === 0 && stage > 0 ? 2 : 1);
    }
  });
  return layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as SymbolicTensor;
}

/** Stage of a torchvision ResNet layer: 0 stem, 1..4 layerK, 'head' for everything after avgpool. */
export function resnetStageOf(layerName: string): number | 'head' {
  const m = /^layer([1-4])\./.exec(layerName);
  if (m) return Number(m[1]);
  if (['input', 'conv1_pad', 'conv1', 'bn1', 'relu', 'maxpool_pad', 'maxpool'].includes(layerName)) return 0;
  return 'head';
}
