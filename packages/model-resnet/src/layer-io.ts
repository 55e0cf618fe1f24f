import type * as tf from '@tensorflow/tfjs-core';
import type { layers } from '@tensorflow/tfjs-layers';

/** What this package's custom layers share about their inputs (tfjs-layers hands a layer one input or a list of them). */

/** A layer's input or output shape, the batch dimension null. */
export type Shape = (number | null)[];
/** The constructor arguments every layer takes (name, trainable, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;

/** The shape of a single-input layer's input. */
export function firstShape(inputShape: Shape | Shape[]): Shape {
  return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
}

/** A single-input layer's input tensor. */
export function firstTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
}
