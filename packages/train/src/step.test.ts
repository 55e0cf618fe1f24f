import { resolve } from 'node:path';
import { configSchema, type PipelineConfig } from '@facemask/contracts';
import { readSafetensors, tensorData, tensorF32, type SafetensorsFile } from '@facemask/engine';
import { checkTolerance, referenceCases, referenceDir, type ReferenceCase } from '@facemask/contracts/reference';
import { createModel, stateDictSpec, TorchBatchNorm } from '@facemask/model-resnet';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHeadAdapter, type HeadAdapter } from './head.ts';
import { createOptimizer } from './optim/index.ts';
import { trainableVariables, trainStep } from './step.ts';
import { engineUnderTest } from '@facemask/engine';

/**
 * Every 'train_step' case of the fixture manifest: one step of the train stage's own path
 * (createModel with the torch weights as `pretrained`, the config's head/loss and optimiser,
 * trainStep) against torch's model.train() forward, F.cross_entropy, backward and SGD step.
 * Set PARITY_REPORT=1 to print how far each quantity is from the reference.
 */

interface TrainStepParams {
  arch: string;
  input: [number, number, number, number];
  loss: string;
  optimizer: Record<string, unknown> & { name: string };
  bn_momentum: number;
  grad_norms: Record<string, number>;
}

/** The case's loss, as the config's loss section; a loss without a mapping fails the case. */
function lossConfig(c: ReferenceCase, loss: string): Record<string, unknown> {
  if (loss === 'cross_entropy (mean, no smoothing)') return { name: 'cross_entropy' };
  throw new Error(`${c.id}: loss "${loss}" has no mapping to the config's loss section`);
}

/** torch optimiser keyword arguments as the config's optim section; an unknown one fails the case. */
function optimConfig(c: ReferenceCase, o: TrainStepParams['optimizer']): Record<string, unknown> {
  const out: Record<string, unknown> = { name: o.name, nesterov: false };
  for (const [k, v] of Object.entries(o)) {
    if (k === 'name') continue;
    if (k === 'lr' || k === 'momentum' || k === 'nesterov' || k === 'eps' || k === 'betas') out[k] = v;
    else if (k === 'weight_decay') out.weightDecay = v;
    else throw new Error(`${c.id}: optimiser option "${k}" has no mapping to the config's optim section`);
  }
  return out;
}

/** The pipeline config the train stage would run this case with. */
function caseConfig(c: ReferenceCase, p: TrainStepParams, weights: string): PipelineConfig {
  return configSchema.parse({
    data: { root: '.' },
    model: { arch: p.arch, pretrained: weights, head: 'single', trainableStages: -1, dropout: 0 },
    loss: lossConfig(c, p.loss),
    optim: optimConfig(c, p.optimizer),
    train: { mode: 'finetune', classWeights: false },
  });
}

function tensorOf(file: SafetensorsFile, name: string, c: ReferenceCase) {
  const t = file.tensors.get(name);
  if (!t) throw new Error(`${c.id}: ${c.files.data} has no tensor ${name}`);
  return t;
}

interface Distance {
  maxAbs: number;
  relToRefMax: number;
}

function distance(got: ArrayLike<number>, ref: ArrayLike<number>): Distance {
  let maxAbs = 0;
  let refMax = 0;
  for (let i = 0; i < ref.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs((got[i] as number) - (ref[i] as number)));
    refMax = Math.max(refMax, Math.abs(ref[i] as number));
  }
  return { maxAbs, relToRefMax: refMax > 0 ? maxAbs / refMax : maxAbs };
}

/** In float64, as the fixture's norms are. */
function l2Norm(values: Float32Array): number {
  let sum = 0;
  for (const v of values) sum += v * v;
  return Math.sqrt(sum);
}

/** What one trainStep call saw: the train-mode logits and each variable's gradient (by variable name). */
interface Observed {
  logits: Float32Array | null;
  grads: Map<string, tf.Tensor>;
}

/** The config's head and optimiser, observed without changing what they compute. */
function observe(head: HeadAdapter, model: LayersModel, cfg: PipelineConfig) {
  const seen: Observed = { logits: null, grads: new Map() };
  const observedHead: HeadAdapter = {
    ...head,
    loss: (outputs, targets) => {
      seen.logits = new Float32Array((outputs[0] as tf.Tensor).dataSync());
      return head.loss(outputs, targets);
    },
  };
  const optimizer = createOptimizer(cfg.optim, trainableVariables(model));
  const step = optimizer.step.bind(optimizer);
  optimizer.step = (grads) => {
    for (const [name, g] of Object.entries(grads as tf.NamedTensorMap)) seen.grads.set(name, tf.clone(g));
    step(grads);
  };
  return { seen, head: observedHead, optimizer };
}

const cases = referenceCases('train_step');

it('the manifest has train_step cases', () => {
  expect(cases.length).toBeGreaterThan(0);
});

describe('one train-stage step against torch (train-mode BatchNorm, loss, backward, optimiser)', () => {
  let engine = '';
  beforeAll(async () => {
    engine = await engineUnderTest();
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const p = c.params as unknown as TrainStepParams;
    const dir = referenceDir();
    const weights = resolve(dir, c.files.weights as string);
    const data = await readSafetensors(resolve(dir, c.files.data as string));
    const input = tensorOf(data, 'input', c);
    const labels = Array.from(tensorData(tensorOf(data, 'labels', c)));
    const refLogits = tensorOf(data, 'logits', c);
    const numClasses = refLogits.shape[1] as number;
    expect(input.shape, 'input shape (params.input)').toEqual(p.input);
    const [, , h, w] = p.input;
    const cfg = caseConfig(c, p, weights);
    const before = tf.memory().numTensors;

    // As the train stage builds its model (fold.ts), with the fixture weights as `pretrained`.
    const logLines: string[] = [];
    const model = await createModel(
      cfg.model.arch,
      {
        inputHeight: h,
        inputWidth: w,
        numClasses,
        head: cfg.model.head,
        pretrained: cfg.model.pretrained,
        trainableStages: cfg.model.trainableStages,
        dropout: cfg.model.dropout,
        widthMultiplier: cfg.model.widthMultiplier,
        seed: cfg.seed,
        inputMean: cfg.augment.mean,
        inputStd: cfg.augment.std,
      },
      { log: (l) => logLines.push(l) },
    );
    expect(logLines, 'every weight of the file loads').toEqual([]);
    const bns = model.layers.filter((l): l is TorchBatchNorm => l instanceof TorchBatchNorm);
    expect(bns.length).toBeGreaterThan(0);
    for (const bn of bns) expect(bn.momentum, `${bn.name}: Keras momentum = 1 - torch momentum`).toBeCloseTo(1 - p.bn_momentum, 12);

    const specs = stateDictSpec(model);
    const keyOfVariable = new Map<string, (typeof specs)[number]>();
    for (const s of specs) {
      const v = s.layer.weights[s.index]!;
      if (v.trainable) keyOfVariable.set((v.read() as tf.Variable).name, s);
    }
    const specOf = (key: string) => {
      const s = specs.find((x) => x.key === key);
      if (!s) throw new Error(`${c.id}: the model has no state_dict key ${key}`);
      return s;
    };
    const torchLayout = (key: string, t: tf.Tensor): Float32Array => {
      const s = specOf(key);
      const out = tf.tidy(() => s.toTorch(t));
      const values = new Float32Array(out.dataSync());
      out.dispose();
      return values;
    };
    const current = (key: string): Float32Array => {
      const s = specOf(key);
      return torchLayout(key, s.layer.weights[s.index]!.read());
    };

    const head = createHeadAdapter(cfg.model.head, cfg.loss, null);
    const observed = observe(head, model, cfg);
    const x = tf.tidy(() => tf.transpose(tf.tensor(tensorF32(input), input.shape), [0, 2, 3, 1]));
    const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses), 'float32') as tf.Tensor2D);
    const loss = trainStep(model, observed.head, observed.optimizer, x, y);

    const fails: string[] = [];
    const report: string[] = [];
    const compare = (what: string, got: ArrayLike<number>, ref: ArrayLike<number>, tol: string) => {
      const r = checkTolerance(got, ref, c.tolerances[tol] as Record<string, unknown>);
      if (!r.ok) fails.push(`${what}: ${r.message}`);
      const d = distance(got, ref);
      report.push(`${what}: max_abs ${d.maxAbs.toExponential(2)}, rel_to_ref_max ${d.relToRefMax.toExponential(2)}`);
    };

    expect(observed.seen.logits, 'the head saw the logits').not.toBeNull();
    compare('logits', observed.seen.logits!, tensorF32(refLogits), 'logits');
    const refLoss = Number(data.metadata.loss);
    expect(Number.isFinite(refLoss), `${c.files.data} metadata has the float32 loss`).toBe(true);
    compare('loss', [loss], [refLoss], 'loss');

    // Every parameter torch has a gradient for, and no other, got one here.
    const gradByKey = new Map<string, tf.Tensor>();
    for (const [name, g] of observed.seen.grads) {
      const s = keyOfVariable.get(name);
      if (!s) throw new Error(`${c.id}: gradient for ${name}, which maps to no state_dict key`);
      gradByKey.set(s.key, g);
    }
    expect([...gradByKey.keys()].sort()).toEqual(Object.keys(p.grad_norms).sort());
    let worstNorm = 0;
    for (const [key, refNorm] of Object.entries(p.grad_norms)) {
      const g = gradByKey.get(key)!;
      const norm = l2Norm(g.dataSync() as Float32Array);
      const r = checkTolerance([norm], [refNorm], c.tolerances.grad_norms as Record<string, unknown>);
      if (!r.ok) fails.push(`grad norm ${key}: ${norm} vs ${refNorm}: ${r.message}`);
      worstNorm = Math.max(worstNorm, Math.abs(norm - refNorm) / refNorm);
    }
    report.push(`grad norms (${gradByKey.size}): max rel ${worstNorm.toExponential(2)}`);

    const names = [...data.tensors.keys()];
    const groups = [
      { prefix: 'grad.', tol: 'grads', value: (key: string) => torchLayout(key, gradByKey.get(key)!) },
      { prefix: 'after_forward.', tol: 'bn_buffers', value: current },
      { prefix: 'after_step.', tol: 'params_after_step', value: current },
    ];
    for (const { prefix, tol, value } of groups) {
      const selected = names.filter((n) => n.startsWith(prefix));
      expect(selected.length, `${c.files.data} has ${prefix}* tensors`).toBeGreaterThan(0);
      for (const name of selected) {
        const key = name.slice(prefix.length);
        if (prefix === 'grad.' && !gradByKey.has(key)) throw new Error(`${c.id}: no gradient for ${key}`);
        compare(name, value(key), tensorF32(tensorOf(data, name, c)), tol);
      }
    }
    if (process.env.PARITY_REPORT) console.log(`${c.id} on ${engine}:\n  ${report.join('\n  ')}`);

    tf.dispose([x, y, ...observed.seen.grads.values()]);
    observed.optimizer.dispose();
    model.dispose();
    expect(tf.memory().numTensors, 'no tensors left behind').toBe(before);
    expect(fails, `${c.id} on ${engine}`).toEqual([]);
  });
});
