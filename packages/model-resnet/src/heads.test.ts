import { ageHeadKind, decodeClass, encodeClass, NUM_CLASSES, Rng, type AgeBand, type Gender, type Mask } from '@facemask/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { combineMultiHead, HEAD_LAYERS, multiHeadProbs, multiHeadTargets } from './heads.ts';
import { createModel } from './registry.ts';
import { useBackend } from './test-utils/backend.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

function randomDistributions(rng: Rng, n: number, k: number): number[][] {
  return Array.from({ length: n }, () => {
    const row = Array.from({ length: k }, () => rng.uniform(0.01, 1));
    const s = row.reduce((a, b) => a + b, 0);
    return row.map((v) => v / s);
  });
}

describe('combineMultiHead', () => {
  it('puts p(mask) p(gender) p(age) at class mask*6 + gender*3 + age', () => {
    const rng = new Rng(7);
    const [m, g, a] = [randomDistributions(rng, 4, 3), randomDistributions(rng, 4, 2), randomDistributions(rng, 4, 3)];
    const joint = combineMultiHead(tf.tensor2d(m), tf.tensor2d(g), tf.tensor2d(a));
    expect(joint.shape).toEqual([4, NUM_CLASSES]);
    const rows = joint.arraySync();
    for (let n = 0; n < 4; n++) {
      for (let cls = 0; cls < NUM_CLASSES; cls++) {
        const d = decodeClass(cls);
        const want = (m[n]?.[d.mask] as number) * (g[n]?.[d.gender] as number) * (a[n]?.[d.ageBand] as number);
        expect(rows[n]?.[cls]).toBeCloseTo(want, 6);
      }
      expect(rows[n]?.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
    }
  });

  it('rejects heads of the wrong width', () => {
    expect(() => combineMultiHead(tf.ones([2, 3]), tf.ones([2, 3]), tf.ones([2, 3]))).toThrow(/genderP has shape \[2,3\], expected \[2, 2\]/);
  });

  it('multiHeadProbs softmaxes the three logits first', () => {
    const logits = [tf.tensor2d([[0, 0, 0]]), tf.tensor2d([[0, 0]]), tf.tensor2d([[0, 0, 0]])];
    const p = multiHeadProbs(logits).dataSync();
    for (const v of p) expect(v).toBeCloseTo(1 / NUM_CLASSES, 6);
  });
});

describe('multiHeadTargets', () => {
  it('splits class indices into one-hot marginals', () => {
    const labels = [0, 5, 7, 17, 12];
    const t = multiHeadTargets(tf.tensor1d(labels, 'int32'));
    const [mask, gender, age] = [t.mask.arraySync(), t.gender.arraySync(), t.age.arraySync()];
    labels.forEach((cls, i) => {
      const d = decodeClass(cls);
      expect(mask[i]).toEqual([0, 1, 2].map((k) => (k === d.mask ? 1 : 0)));
      expect(gender[i]).toEqual([0, 1].map((k) => (k === d.gender ? 1 : 0)));
      expect(age[i]).toEqual([0, 1, 2].map((k) => (k === d.ageBand ? 1 : 0)));
    });
  });

  it('sums soft targets into marginals that each sum to the row mass', () => {
    const rng = new Rng(3);
    const soft = randomDistributions(rng, 3, NUM_CLASSES);
    const t = multiHeadTargets(tf.tensor2d(soft));
    const mask = t.mask.arraySync();
    const gender = t.gender.arraySync();
    const age = t.age.arraySync();
    soft.forEach((row, i) => {
      for (let mk = 0; mk < 3; mk++) {
        let want = 0;
        for (let g = 0; g < 2; g++) for (let a = 0; a < 3; a++) want += row[encodeClass(mk as Mask, g as Gender, a as AgeBand)] as number;
        expect(mask[i]?.[mk]).toBeCloseTo(want, 6);
      }
      for (const m of [gender[i], age[i]]) expect(m?.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
    });
    // A one-hot target is recovered exactly by combining its marginals.
    const hard = multiHeadTargets(tf.oneHot(tf.tensor1d([9], 'int32'), NUM_CLASSES));
    expect(Array.from(combineMultiHead(hard.mask, hard.gender, hard.age).dataSync())).toEqual(
      Array.from({ length: NUM_CLASSES }, (_, k) => (k === 9 ? 1 : 0)),
    );
  });

  it('rejects targets that are not [N] or [N,18]', () => {
    expect(() => multiHeadTargets(tf.zeros([2, 17]))).toThrow(/\[N, 18\]/);
  });
});

describe('heads on a model', () => {
  it("'multi' outputs mask, gender and age logits; 'single' numClasses logits", async () => {
    const x = tf.randomNormal([2, 48, 48, 3], 0, 1, 'float32', 1);
    const multi = await createModel('resnet18', { inputHeight: 48, inputWidth: 48, head: 'multi' });
    const outs = multi.predict(x) as tf.Tensor[];
    expect(outs.map((o) => o.shape)).toEqual([[2, 3], [2, 2], [2, 3]]);
    const single = await createModel('resnet18', { inputHeight: 48, inputWidth: 48, numClasses: 5, dropout: 0.2 });
    expect((single.predict(x) as tf.Tensor).shape).toEqual([2, 5]);
    expect(single.getLayer('dropout').getConfig().rate).toBe(0.2);
    tf.dispose([x, ...outs]);
    multi.dispose();
    single.dispose();
    await expect(createModel('resnet18', { inputHeight: 48, inputWidth: 48, head: 'multi', numClasses: 10 })).rejects.toThrow(/head 'multi'/);
  });

  it.each(ageHeadKind.options)("ends in the layers HEAD_LAYERS names, which other code looks them up by (age head '%s')", async (ageHead) => {
    const opts = { inputHeight: 32, inputWidth: 32, widthMultiplier: 0.25 };
    const multi = await createModel('resnet18', { ...opts, head: 'multi', ageHead });
    expect(multi.outputLayers.map((l) => l.name)).toEqual([HEAD_LAYERS.mask, HEAD_LAYERS.gender, HEAD_LAYERS.age]);
    const single = await createModel('resnet18', opts);
    expect(single.outputLayers.map((l) => l.name)).toEqual([HEAD_LAYERS.single]);
    multi.dispose();
    single.dispose();
  });
});
