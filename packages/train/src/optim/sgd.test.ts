import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkTolerance, referenceCases, selectJson, type ReferenceCase } from '@facemask/contracts/reference';
import { engineUnderTest } from '@facemask/engine';
import { SGD, type SgdOptions } from './sgd.ts';
import type { GradInput } from './optimizer.ts';

interface SgdStep {
  loss: number;
  grad_weight: number[][];
  grad_bias: number[];
  weight: number[][];
  bias: number[];
  momentum_buffer_weight: number[][] | null;
  momentum_buffer_bias: number[] | null;
}
interface SgdRun {
  params: Record<string, number | boolean>;
  steps: SgdStep[];
}
interface SgdSetup {
  init: { weight: number[][]; bias: number[] };
  batch: { x: number[][]; y: number[][] };
}

/** torch.optim.SGD keyword arguments to our options; an unknown keyword fails the case. */
function sgdOptions(params: Record<string, number | boolean>): SgdOptions {
  const opts: SgdOptions = { lr: NaN };
  for (const [k, v] of Object.entries(params)) {
    if (k === 'lr') opts.lr = v as number;
    else if (k === 'momentum') opts.momentum = v as number;
    else if (k === 'dampening') opts.dampening = v as number;
    else if (k === 'weight_decay') opts.weightDecay = v as number;
    else if (k === 'nesterov') opts.nesterov = v as boolean;
    else throw new Error(`torch SGD option "${k}" has no mapping in sgdOptions`);
  }
  return opts;
}

/** The run's shared model and batch live two levels above it (sgd.runs.<name> -> sgd). */
function setupOf(c: ReferenceCase): SgdSetup {
  const path = c.select?.json_path ?? [];
  const setup = selectJson({ ...c, select: { json_path: path.slice(0, -2) } }) as Partial<SgdSetup>;
  if (!setup.init || !setup.batch) throw new Error(`${c.id}: no init/batch at ${path.slice(0, -2).join('.')} in ${c.files.data}`);
  return setup as SgdSetup;
}

/** nn.Linear + F.mse_loss with torch's [out,in] weight layout. */
function mseLoss(w: tf.Tensor2D, b: tf.Tensor1D, x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w, false, true), b), y)));
}

function gradsAs(form: number, w: tf.Variable, b: tf.Variable, gw: tf.Tensor, gb: tf.Tensor): GradInput {
  if (form === 0) return new Map([[w, gw], [b, gb]]);
  if (form === 1) return [{ variable: w, grad: gw }, { variable: b, grad: gb }];
  return { [w.name]: gw, [b.name]: gb };
}

const cases = referenceCases('sgd_trajectory');

describe('SGD against torch.optim.SGD trajectories', () => {
  let engine = '';
  beforeAll(async () => {
    engine = await engineUnderTest();
  });

  it('the manifest has sgd trajectory cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    it(`${c.id}: loss, gradients, parameters and momentum buffers after every step`, () => {
      const run = selectJson(c) as SgdRun;
      const { init, batch } = setupOf(c);
      const tolP = c.tolerances.params as Record<string, unknown>;
      const tolL = c.tolerances.loss as Record<string, unknown>;
      const x = tf.tensor2d(batch.x);
      const y = tf.tensor2d(batch.y);
      const w = tf.tidy(() => tf.variable(tf.tensor2d(init.weight)));
      const b = tf.tidy(() => tf.variable(tf.tensor1d(init.bias)));
      const opt = new SGD([w, b], sgdOptions(run.params));
      const fails: string[] = [];
      const check = (what: string, got: ArrayLike<number>, ref: ArrayLike<number>, tol: Record<string, unknown>) => {
        const r = checkTolerance(got, ref, tol);
        if (!r.ok) fails.push(`${what}: ${r.message}`);
      };
      expect(run.steps.length).toBeGreaterThan(0);
      let tensorsAfterFirst = -1;
      run.steps.forEach((ref, i) => {
        const { value, grads } = tf.variableGrads(() => mseLoss(w, b, x, y), [w, b]);
        check(`step ${i} loss`, value.dataSync(), [ref.loss], tolL);
        check(`step ${i} grad weight`, grads[w.name]!.dataSync(), ref.grad_weight.flat(), tolP);
        check(`step ${i} grad bias`, grads[b.name]!.dataSync(), ref.grad_bias, tolP);
        opt.step(gradsAs(i % 3, w, b, grads[w.name]!, grads[b.name]!));
        tf.dispose([value, grads[w.name]!, grads[b.name]!]);
        check(`step ${i} weight`, w.dataSync(), ref.weight.flat(), tolP);
        check(`step ${i} bias`, b.dataSync(), ref.bias, tolP);
        const st = opt.getState();
        if (ref.momentum_buffer_weight) check(`step ${i} momentum weight`, st.params[0]!.buffers.momentum!, ref.momentum_buffer_weight.flat(), tolP);
        if (ref.momentum_buffer_bias) check(`step ${i} momentum bias`, st.params[1]!.buffers.momentum!, ref.momentum_buffer_bias, tolP);
        expect(st.step).toBe(i + 1);
        if (i === 0) tensorsAfterFirst = tf.memory().numTensors;
        else expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
      });
      opt.dispose();
      tf.dispose([x, y, w, b]);
      expect(fails, `${c.id} on ${engine}`).toEqual([]);
    });
  }
});
