import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import { classProbs } from '../heads.ts';

/** Saves a 32x32 multi-head model to memory, loads it back and checks both give the same class probabilities (what an exported model needs); disposes both. */
export async function expectSameAfterSaveLoad(model: LayersModel): Promise<void> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const loaded = await loadLayersModel(tf.io.fromMemory(saved!));
  const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 9);
  const [a, b] = tf.tidy(() => [model, loaded].map((m) => Array.from(classProbs('multi', m.predict(x) as tf.Tensor[]).dataSync())));
  a!.forEach((v, i) => expect(b![i]).toBeCloseTo(v, 6));
  tf.dispose(x);
  model.dispose();
  loaded.dispose();
}
