import * as tf from '@tensorflow/tfjs-core';
import { NUM_CLASSES, decodeClass, type PipelineConfig } from '@facemask/contracts';
import { createLoss, type LossFn } from '@facemask/losses';
import { classProbs, multiHeadTargets } from '@facemask/model-resnet';
import { classWeights } from './sampler.ts';

/**
 * What the model's outputs mean: one 18-way logits tensor ('single'), or mask/gender/age logits
 * ('multi') whose probabilities multiply into the 18 classes and whose loss is the sum of three.
 */
export interface HeadAdapter {
  kind: 'single' | 'multi';
  /** Mean loss of a batch (call inside tidy / variableGrads). */
  loss(outputs: tf.Tensor[], targets: tf.Tensor2D): tf.Scalar;
  /** Class probabilities [N, 18]. */
  probs(outputs: tf.Tensor[]): tf.Tensor2D;
}

/**
 * `weightedBy`: the training rows' classes when the loss is class-weighted (train.classWeights),
 * else null. The single head weighs its 18 classes; each of the three heads weighs its own
 * classes by their marginal frequency, so the rare mask states and age bands count as much.
 */
export function createHeadAdapter(head: 'single' | 'multi', lossCfg: PipelineConfig['loss'], weightedBy: readonly number[] | null): HeadAdapter {
  const weighted = (numClasses: number, classOf: (cls: number) => number): LossFn =>
    createLoss(lossCfg, { numClasses, ...(weightedBy ? { classWeights: classWeights(weightedBy.map(classOf), numClasses) } : {}) });
  if (head === 'single') {
    const fn = weighted(NUM_CLASSES, (c) => c);
    return {
      kind: 'single',
      loss: (outputs, targets) => fn(single(outputs), targets),
      probs: (outputs) => classProbs('single', outputs),
    };
  }
  const maskLoss = weighted(3, (c) => decodeClass(c).mask);
  const genderLoss = weighted(2, (c) => decodeClass(c).gender);
  const ageLoss = weighted(3, (c) => decodeClass(c).ageBand);
  return {
    kind: 'multi',
    loss: (outputs, targets) =>
      tf.tidy(() => {
        const [m, g, a] = triple(outputs);
        const t = multiHeadTargets(targets);
        return tf.addN([maskLoss(m as tf.Tensor2D, t.mask), genderLoss(g as tf.Tensor2D, t.gender), ageLoss(a as tf.Tensor2D, t.age)]) as tf.Scalar;
      }),
    probs: (outputs) => classProbs('multi', outputs),
  };
}

function single(outputs: tf.Tensor[]): tf.Tensor2D {
  if (outputs.length !== 1) throw new Error(`head 'single' expects one output, the model has ${outputs.length}: check model.head`);
  return outputs[0] as tf.Tensor2D;
}

function triple(outputs: tf.Tensor[]): tf.Tensor[] {
  if (outputs.length !== 3) throw new Error(`head 'multi' expects three outputs, the model has ${outputs.length}: check model.head`);
  return outputs;
}
