import * as tf from '@tensorflow/tfjs-core';
import type { PipelineConfig } from '@facemask/core';
import { createLoss, type LossFn } from '@facemask/losses';
import { multiHeadProbs, multiHeadTargets } from '@facemask/model-resnet';

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

export function createHeadAdapter(head: 'single' | 'multi', lossCfg: PipelineConfig['loss'], classWeights: number[] | null): HeadAdapter {
  if (head === 'single') {
    const fn = createLoss(lossCfg, { numClasses: 18, ...(classWeights ? { classWeights } : {}) });
    return {
      kind: 'single',
      loss: (outputs, targets) => fn(single(outputs), targets),
      probs: (outputs) => tf.softmax(single(outputs)) as tf.Tensor2D,
    };
  }
  // Class weights are per 18-class; the marginal heads train unweighted.
  const fn: LossFn = createLoss(lossCfg);
  return {
    kind: 'multi',
    loss: (outputs, targets) =>
      tf.tidy(() => {
        const [m, g, a] = triple(outputs);
        const t = multiHeadTargets(targets);
        return tf.addN([fn(m as tf.Tensor2D, t.mask), fn(g as tf.Tensor2D, t.gender), fn(a as tf.Tensor2D, t.age)]) as tf.Scalar;
      }),
    probs: (outputs) => multiHeadProbs(triple(outputs)),
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
