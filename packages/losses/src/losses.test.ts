import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients by itself (tfjs-layers and the union packages do); this deep
// ESM import resolves under vite only
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '@facemask/contracts';
import { backendsUnderTest, useBackendUnderTest } from '@facemask/engine';
import { checkTolerance, referenceCases, selectJson } from '@facemask/contracts/reference';
import { createLoss, type LossConfig } from './factory.ts';
import { crossEntropy, labelSmoothingLoss } from './cross-entropy.ts';
import { focalLoss } from './focal.ts';
import { f1Loss } from './f1.ts';
import { toSoftTargets } from './targets.ts';

interface LossFixture {
  num_classes: number;
  logits: number[][];
  targets: number[];
  losses: Record<string, { loss: number; grad: number[][] }>;
}

const loss = (input: Record<string, unknown>): LossConfig => configSchema.shape.loss.parse(input);

/** Fixture loss names (make_fixtures.py loss_fns) to our config. An unknown name fails the case. */
const FIXTURE_LOSSES: Record<string, LossConfig> = {
  cross_entropy: loss({ name: 'cross_entropy' }),
  'cross_entropy_ls0.1': loss({ name: 'label_smoothing', smoothing: 0.1, smoothingKind: 'torch' }),
  'label_smoothing_loss_s0.1': loss({ name: 'label_smoothing', smoothing: 0.1, smoothingKind: 'competition' }),
  'label_smoothing_loss_s0.2': loss({ name: 'label_smoothing', smoothing: 0.2, smoothingKind: 'competition' }),
  focal_g2: loss({ name: 'focal', gamma: 2 }),
  focal_g0: loss({ name: 'focal', gamma: 0 }),
  'f1_loss_eps1e-7': loss({ name: 'f1', epsilon: 1e-7 }),
};

/** The same loss called directly with integer labels instead of soft targets. */
function direct(cfg: LossConfig): (x: tf.Tensor2D, labels: tf.Tensor1D) => tf.Scalar {
  switch (cfg.name) {
    case 'cross_entropy':
      return (x, y) => crossEntropy(x, y);
    case 'label_smoothing':
      return (x, y) => labelSmoothingLoss(x, y, { smoothing: cfg.smoothing, kind: cfg.smoothingKind });
    case 'focal':
      return (x, y) => focalLoss(x, y, { gamma: cfg.gamma });
    case 'f1':
      return (x, y) => f1Loss(x, y, { epsilon: cfg.epsilon });
  }
}

function valueAndGrad(fn: (x: tf.Tensor2D) => tf.Scalar, logits: tf.Tensor2D): { value: number; grad: Float32Array } {
  const { value, grad } = tf.valueAndGrad(fn)(logits);
  const out = { value: value.dataSync()[0] as number, grad: grad.dataSync() as Float32Array };
  value.dispose();
  grad.dispose();
  return out;
}

function logSoftmaxF64(row: number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}

const cases = referenceCases('loss');

for (const backend of backendsUnderTest()) {
  describe(`losses on ${backend}`, () => {
    beforeAll(async () => {
      await useBackendUnderTest(backend);
    });

    it('the manifest has loss cases', () => {
      expect(cases.length).toBeGreaterThan(0);
    });

    for (const c of cases) {
      it(`${c.id}: every loss's value and d/dlogits match PyTorch (soft targets and integer labels)`, () => {
        const fx = selectJson(c) as LossFixture;
        const names = Object.keys(fx.losses);
        expect(names.length).toBeGreaterThan(0);
        const logits = tf.tensor2d(fx.logits);
        const labels = tf.tensor1d(fx.targets, 'int32');
        const soft = toSoftTargets(fx.targets, fx.num_classes);
        const before = tf.memory().numTensors;
        const failures: string[] = [];
        for (const name of names) {
          const cfg = FIXTURE_LOSSES[name];
          if (!cfg) throw new Error(`${c.id}: fixture loss "${name}" has no entry in FIXTURE_LOSSES; map it to a loss config`);
          const ref = fx.losses[name]!;
          const viaFactory = createLoss(cfg, { numClasses: fx.num_classes });
          const viaLabels = direct(cfg);
          for (const [how, r] of [
            ['soft', valueAndGrad((x) => viaFactory(x, soft), logits)],
            ['labels', valueAndGrad((x) => viaLabels(x, labels), logits)],
          ] as const) {
            const v = checkTolerance([r.value], [ref.loss], c.tolerances.loss as Record<string, unknown>);
            const g = checkTolerance(r.grad, ref.grad.flat(), c.tolerances.grad as Record<string, unknown>);
            if (!v.ok) failures.push(`${name} (${how}) loss: ${v.message}`);
            if (!g.ok) failures.push(`${name} (${how}) grad: ${g.message}`);
          }
          const inTidy = tf.tidy(() => viaFactory(logits, soft).dataSync()[0]);
          expect(inTidy).toBeCloseTo(ref.loss, 4);
        }
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([logits, labels, soft]);
        expect(failures).toEqual([]);
      });
    }

    it('focal with gamma 0 has cross entropy gradients where p rounds to 1 (no NaN)', () => {
      const logits = tf.tensor2d([
        [120, 0, -3],
        [0, 1, 2],
      ]);
      const y = [0, 2];
      const ce = valueAndGrad((x) => crossEntropy(x, y), logits);
      const f0 = valueAndGrad((x) => focalLoss(x, y, { gamma: 0 }), logits);
      const fHalf = valueAndGrad((x) => focalLoss(x, y, { gamma: 0.5 }), logits);
      expect(Array.from(f0.grad).every(Number.isFinite)).toBe(true);
      expect(Array.from(fHalf.grad).every(Number.isFinite)).toBe(true);
      expect(f0.value).toBeCloseTo(ce.value, 6);
      Array.from(ce.grad).forEach((g, i) => expect(f0.grad[i]).toBeCloseTo(g, 6));
      logits.dispose();
    });

    it('F1 loss passes no gradient through clamped F1 values', () => {
      // every prediction is wrong with p(target) ~ 2e-9: each class's soft F1 is ~2e-9 < eps, so
      // every F1 is clamped; unclamped, the gradient would be ~1e-9, not 0
      const logits = tf.tensor2d([
        [0, 20, 0],
        [0, 0, 20],
        [20, 0, 0],
      ]);
      const r = valueAndGrad((x) => f1Loss(x, [0, 1, 2], { epsilon: 1e-7 }), logits);
      expect(r.value).toBeLessThan(1);
      expect(r.value).toBeCloseTo(1 - 1e-7, 7);
      expect(Array.from(r.grad).every((g) => g === 0)).toBe(true);
      // a mildly wrong batch is not clamped and does get a gradient
      const mild = tf.tensor2d([
        [0, 1, 0],
        [0, 0, 1],
        [1, 0, 0],
      ]);
      const m = valueAndGrad((x) => f1Loss(x, [0, 1, 2], { epsilon: 1e-7 }), mild);
      expect(Math.max(...Array.from(m.grad, Math.abs))).toBeGreaterThan(1e-3);
      tf.dispose([logits, mild]);
    });

    it('MixUp targets give the mixture of the two losses for the linear losses', () => {
      const rows = [
        [0.3, -1.2, 2.0, 0.1],
        [1.5, 0.2, -0.7, 0.9],
        [-0.4, 0.8, 0.0, -2.1],
      ];
      const a = [2, 0, 3];
      const b = [1, 0, 1];
      const lam = 0.7;
      const logits = tf.tensor2d(rows);
      const fns: Record<string, (x: tf.Tensor2D, t: tf.Tensor2D | number[]) => tf.Scalar> = {
        ce: (x, t) => crossEntropy(x, t),
        torchLs: (x, t) => labelSmoothingLoss(x, t, { smoothing: 0.1, kind: 'torch' }),
        compLs: (x, t) => labelSmoothingLoss(x, t, { smoothing: 0.2, kind: 'competition' }),
        focal: (x, t) => focalLoss(x, t, { gamma: 2 }),
        weighted: (x, t) => crossEntropy(x, t, { classWeights: [1, 1, 1, 1] }),
      };
      const mixed = tf.tidy(() => tf.add(tf.mul(toSoftTargets(a, 4), lam), tf.mul(toSoftTargets(b, 4), 1 - lam)) as tf.Tensor2D);
      for (const [name, fn] of Object.entries(fns)) {
        const m = valueAndGrad((x) => fn(x, mixed), logits);
        const ra = valueAndGrad((x) => fn(x, a), logits);
        const rb = valueAndGrad((x) => fn(x, b), logits);
        expect(m.value, name).toBeCloseTo(lam * ra.value + (1 - lam) * rb.value, 5);
        m.grad.forEach((g, i) => expect(g, name).toBeCloseTo(lam * ra.grad[i]! + (1 - lam) * rb.grad[i]!, 5));
      }
      tf.dispose([logits, mixed]);
    });

    it('class weights follow CrossEntropyLoss(weight): sum w[y] * ce / sum w[y]', () => {
      const rows = [
        [0.3, -1.2, 2.0],
        [1.5, 0.2, -0.7],
        [-0.4, 0.8, 0.0],
        [0.1, 0.1, 0.4],
      ];
      const y = [2, 0, 1, 1];
      const w = [0.5, 2, 1.25];
      let num = 0;
      let den = 0;
      rows.forEach((r, i) => {
        const lp = logSoftmaxF64(r);
        num += -w[y[i]!]! * lp[y[i]!]!;
        den += w[y[i]!]!;
      });
      const logits = tf.tensor2d(rows);
      const got = tf.tidy(() => crossEntropy(logits, y, { classWeights: w }).dataSync()[0]!);
      expect(got).toBeCloseTo(num / den, 5);
      const viaFactory = tf.tidy(() => createLoss(loss({}), { numClasses: 3, classWeights: w })(logits, toSoftTargets(y, 3)).dataSync()[0]!);
      expect(viaFactory).toBeCloseTo(num / den, 5);
      const focal0 = tf.tidy(() => focalLoss(logits, y, { gamma: 0, classWeights: w }).dataSync()[0]!);
      expect(focal0).toBeCloseTo(num / den, 5);
      logits.dispose();
    });

    it('the two smoothing kinds give their documented targets and differ', () => {
      const logits = tf.tensor2d([[0.2, -0.5, 1.0, 0.0]]);
      const lp = logSoftmaxF64([0.2, -0.5, 1.0, 0.0]);
      const e = 0.2;
      const torchQ = [e / 4, e / 4, 1 - e + e / 4, e / 4];
      const compQ = [e / 3, e / 3, 1 - e, e / 3];
      const expect1 = (q: number[]) => -q.reduce((s, v, i) => s + v * lp[i]!, 0);
      const t = tf.tidy(() => labelSmoothingLoss(logits, [2], { smoothing: e, kind: 'torch' }).dataSync()[0]!);
      const c = tf.tidy(() => labelSmoothingLoss(logits, [2], { smoothing: e, kind: 'competition' }).dataSync()[0]!);
      expect(t).toBeCloseTo(expect1(torchQ), 5);
      expect(c).toBeCloseTo(expect1(compQ), 5);
      expect(Math.abs(t - c)).toBeGreaterThan(1e-3);
      logits.dispose();
    });

    it('rejects bad targets and configs with clear errors', () => {
      const logits = tf.tensor2d([
        [0, 1, 2],
        [2, 1, 0],
      ]);
      expect(() => toSoftTargets([0, 3], 3)).toThrow(/label 3 at index 1 is not a class id in 0..2/);
      expect(() => crossEntropy(logits, [0])).toThrow(/1 labels for a batch of 2/);
      const badIds = tf.tensor1d([0, 5], 'int32');
      expect(() => crossEntropy(logits, badIds)).toThrow(/label 5/);
      const wrongSoft = tf.zeros([2, 4]) as tf.Tensor2D;
      expect(() => crossEntropy(logits, wrongSoft)).toThrow(/soft targets have shape \[2,4\], logits \[2,3\]/);
      expect(() => crossEntropy(logits, [0, 1], { classWeights: [1, 1] })).toThrow(/2 class weights for 3 classes/);
      expect(() => createLoss(loss({}), { numClasses: 4, classWeights: [1, 1] })).toThrow(/2 class weights for 4 classes/);
      const soft = toSoftTargets([0, 1], 3);
      expect(() => createLoss(loss({ name: 'focal' }), { numClasses: 18 })(logits, soft)).toThrow(/logits have 3 classes, the config expects 18/);
      tf.dispose([logits, badIds, wrongSoft, soft]);
    });

    it('does not leak tensors inside tidy or through grad', () => {
      const logits = tf.tensor2d([
        [0.5, -1, 2],
        [1, 0.2, -0.3],
      ]);
      const soft = toSoftTargets([2, 0], 3);
      const before = tf.memory().numTensors;
      for (const name of ['cross_entropy', 'label_smoothing', 'focal', 'f1'] as const) {
        const fn = createLoss(loss({ name }), { numClasses: 3, classWeights: [1, 2, 3] });
        tf.tidy(() => {
          fn(logits, soft);
        });
        expect(tf.memory().numTensors, name).toBe(before);
        const g = tf.grad((x) => fn(x as tf.Tensor2D, soft))(logits);
        g.dispose();
        expect(tf.memory().numTensors, name).toBe(before);
      }
      tf.dispose([logits, soft]);
    });
  });
}
