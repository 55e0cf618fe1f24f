import type * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE, SGD_UPDATE } from '../kernel-names.ts';
import { runElementwise, type ElementwiseSpec } from './elementwise-dispatch.ts';

/**
 * torch.optim's per-parameter updates (see ../kernel-names.ts) as one dispatch each, where
 * packages/train's tf-op formulation is 4 to 10 element-wise kernels per parameter. The learning
 * rate and the step's bias corrections are uniforms, so one compiled shader serves every step;
 * only which state buffers exist picks the shader. Each operation rounds to float32 as the tf ops
 * do (scalars computed in double, then float32), so both give the same values to an ulp or so.
 */

function checkInputs(kernel: string, named: Record<string, tf.TensorInfo | undefined>): tf.TensorInfo[] {
  const given = Object.entries(named).filter((e): e is [string, tf.TensorInfo] => e[1] !== undefined);
  const shape = given[0]![1].shape;
  for (const [name, t] of given) {
    if (t.dtype !== 'float32') throw new Error(`${kernel} (webgpu): ${name} must be float32, got ${t.dtype}`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`${kernel} (webgpu): ${name} has shape [${t.shape}], param [${shape}]`);
    }
  }
  return given.map(([, t]) => t);
}

// Weight decay is added only when non-zero (torch skips it), so an infinite weight does not turn 0·w into NaN.
const SGD_BODY = (momentum: boolean, prev: boolean) => `
  var d = grad[i];
  if (u.weightDecay != 0.0) { d = d + param[i] * u.weightDecay; }
  ${momentum ? `
  let buf = ${prev ? 'momentum[i] * u.momentum + d * u.damped' : 'd'};
  momentumOut[i] = buf;
  if (u.nesterov != 0u) { d = d + buf * u.momentum; } else { d = buf; }` : ''}
  paramOut[i] = param[i] - d * u.lr;`;

function sgdSpec(momentum: boolean, prev: boolean): ElementwiseSpec {
  return {
    key: `facemaskSgd${momentum ? (prev ? 'Momentum' : 'FirstMomentum') : ''}`,
    inputs: prev ? ['param', 'grad', 'momentum'] : ['param', 'grad'],
    outputs: momentum ? ['paramOut', 'momentumOut'] : ['paramOut'],
    uniforms: [['lr', 'f32'], ['weightDecay', 'f32'], ['momentum', 'f32'], ['damped', 'f32'], ['nesterov', 'u32']],
    body: SGD_BODY(momentum, prev),
  };
}

interface SgdAttrs {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

function sgdUpdate(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const { param, grad, momentum } = args.inputs as Record<'param' | 'grad', tf.TensorInfo> & { momentum?: tf.TensorInfo };
  const a = args.attrs as unknown as SgdAttrs;
  if (momentum && a.momentum === 0) throw new Error(`${SGD_UPDATE} (webgpu): a momentum buffer was given with momentum 0`);
  const inputs = checkInputs(SGD_UPDATE, { param, grad, momentum });
  const spec = sgdSpec(a.momentum !== 0, momentum !== undefined);
  return runElementwise(args.backend, spec, inputs, [a.lr, a.weightDecay, a.momentum, 1 - a.dampening, a.nesterov ? 1 : 0]);
}

// p is decayed by u.decay (1 unless decoupled: 1 − lr·wd, exact for ×1); Adam's L2 term reads the undecayed param.
const ADAM_BODY = (state: boolean) => `
  var g = grad[i];
  if (u.l2 != 0.0) { g = g + param[i] * u.l2; }
  let m = ${state ? 'expAvg[i] * u.beta1 + ' : ''}g * u.oneMinusBeta1;
  let v = ${state ? 'expAvgSq[i] * u.beta2 + ' : ''}(g * g) * u.oneMinusBeta2;
  let denom = sqrt(v) / u.bc2Sqrt + u.eps;
  paramOut[i] = param[i] * u.decay - (m / denom) * u.stepSize;
  expAvgOut[i] = m;
  expAvgSqOut[i] = v;`;

function adamSpec(state: boolean): ElementwiseSpec {
  return {
    key: `facemaskAdam${state ? '' : 'First'}`,
    inputs: state ? ['param', 'grad', 'expAvg', 'expAvgSq'] : ['param', 'grad'],
    outputs: ['paramOut', 'expAvgOut', 'expAvgSqOut'],
    uniforms: [
      ['stepSize', 'f32'],
      ['bc2Sqrt', 'f32'],
      ['beta1', 'f32'],
      ['oneMinusBeta1', 'f32'],
      ['beta2', 'f32'],
      ['oneMinusBeta2', 'f32'],
      ['eps', 'f32'],
      ['l2', 'f32'],
      ['decay', 'f32'],
    ],
    body: ADAM_BODY(state),
  };
}

interface AdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  decoupled: boolean;
  step: number;
}

function adamUpdate(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const { param, grad, expAvg, expAvgSq } = args.inputs as Record<'param' | 'grad', tf.TensorInfo> & Partial<Record<'expAvg' | 'expAvgSq', tf.TensorInfo>>;
  const a = args.attrs as unknown as AdamAttrs;
  if ((expAvg === undefined) !== (expAvgSq === undefined)) throw new Error(`${ADAM_UPDATE} (webgpu): give both expAvg and expAvgSq or neither`);
  if (!(Number.isInteger(a.step) && a.step >= 1)) throw new Error(`${ADAM_UPDATE} (webgpu): step must be an integer >= 1, got ${a.step}`);
  const inputs = checkInputs(ADAM_UPDATE, { param, grad, expAvg, expAvgSq });
  const decay = a.decoupled && a.weightDecay !== 0 ? 1 - a.lr * a.weightDecay : 1;
  const l2 = a.decoupled ? 0 : a.weightDecay;
  const uniforms = [a.lr / (1 - a.beta1 ** a.step), Math.sqrt(1 - a.beta2 ** a.step), a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.eps, l2, decay];
  return runElementwise(args.backend, adamSpec(expAvg !== undefined), inputs, uniforms);
}

export const OPTIMIZER_UPDATE_KERNELS: readonly tf.KernelConfig[] = [
  { kernelName: SGD_UPDATE, backendName: 'webgpu', kernelFunc: sgdUpdate as tf.KernelFunc },
  { kernelName: ADAM_UPDATE, backendName: 'webgpu', kernelFunc: adamUpdate as tf.KernelFunc },
];
