import * as tf from '@tensorflow/tfjs-core';
import { input as tfInput, model as tfModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { createProgress, faultPoint, featureParams, hashJson, Rng, type Fingerprint, type StageParams } from '@facemask/contracts';
import { ttaViews } from '@facemask/augment';
import { ageTrainingChain, FEATURE_NORM, featureTaps, foldBatchNorms, HEAD_LAYERS, MULTI_HEADS } from '@facemask/model-resnet';
import type { ImageCache } from '@facemask/image-cache';
import { readFeatures } from './features-io.ts';
import { isOutOfMemory, outOfMemoryError } from './oom.ts';
import { chunk } from './sampler.ts';
import { featureSource, type BatchSource, type FeatureBatch, type FeatureTable } from './source.ts';

/**
 * The CPU user's fast path: the frozen backbone's pooled features are computed once per data set
 * and model by the `train:features` task (plain and mirrored view of every cached photo, shared
 * by every fold), then only the head trains, for as many epochs as wanted, at thousands of
 * samples per second.
 */
export interface FeatureSetup {
  source: BatchSource<FeatureBatch>;
  /** The full model's own head layers over pooled features (weights shared with the full model). */
  headModel: LayersModel;
}

/** Photos per batch when computing features. */
export const FEATURE_BATCH = 32;

/** What a fold expects of the features it reads: computed from its own config, data and engine. */
export function expectedFeatures(params: Pick<StageParams<'train'>, 'model' | 'seed' | 'augment' | 'backend'>, cache: Pick<ImageCache, 'height' | 'width' | 'count'>, fp: Fingerprint) {
  return {
    paramsHash: hashJson(featureParams(params, { height: cache.height, width: cache.width })),
    engine: tf.getBackend(),
    dataset: fp.dataset,
    optionsHash: fp.optionsHash,
    count: cache.count,
    height: cache.height,
    width: cache.width,
  };
}

/** A fold's batch source over the features train:features computed, and its head-only model. */
export async function featureSetup(
  params: Pick<StageParams<'train'>, 'model' | 'seed' | 'augment' | 'backend'>,
  work: string,
  model: LayersModel,
  cache: ImageCache,
  fp: Fingerprint,
): Promise<FeatureSetup> {
  const table = await readFeatures(work, expectedFeatures(params, cache, fp));
  const flip = params.augment.train.find((t) => t.type === 'hflip');
  const source = featureSource(table, {
    flipP: flip ? flip.p : 0,
    rngFor: (epoch, batch) => {
      const rng = Rng.derive(params.seed, 'feature-flip', epoch, batch);
      return () => rng.next();
    },
  });
  return { source, headModel: headOnly(model, table.dim) };
}

/**
 * A model over pooled features made of the full model's own head layers (weights shared). With
 * an exact-age head (ordinal, distribution) it has a fourth output, the logits its loss reads
 * (see trainingView).
 */
export function headOnly(model: LayersModel, dim: number): LayersModel {
  const names = model.outputNames.length === 3 ? MULTI_HEADS.map((h) => h.name) : [HEAD_LAYERS.single];
  const x = tfInput({ name: 'features_in', shape: [dim] });
  let h: SymbolicTensor = x;
  const norm = model.layers.find((l) => l.name === FEATURE_NORM);
  if (norm) h = norm.apply(h) as SymbolicTensor;
  const dropout = model.layers.find((l) => l.name === HEAD_LAYERS.dropout);
  if (dropout) h = dropout.apply(h) as SymbolicTensor;
  const chain = ageTrainingChain(model);
  if (chain.length === 0) {
    const outputs = names.map((n) => model.getLayer(n).apply(h) as SymbolicTensor);
    return tfModel({ name: `${model.name}_head`, inputs: x, outputs });
  }
  const [mask, gender] = names.slice(0, 2).map((n) => model.getLayer(n).apply(h) as SymbolicTensor);
  const exact = chain.reduce((t, n) => model.getLayer(n).apply(t) as SymbolicTensor, h);
  const bands = model.getLayer(HEAD_LAYERS.age).apply(exact) as SymbolicTensor;
  return tfModel({ name: `${model.name}_head`, inputs: x, outputs: [mask!, gender!, bands, exact] });
}

/** The head's input features (pooled, from every depth model.featureLayers names) of the plain and mirrored view of every photo of `cache`, batch by batch. */
export async function extractFeatures(
  model: LayersModel,
  cache: ImageCache,
  augment: { mean: readonly number[]; std: readonly number[] },
  quiet: boolean,
): Promise<FeatureTable> {
  // The backbone with its BatchNorms folded into the convolutions: same features, fewer kernels.
  const folded = foldBatchNorms(model);
  const taps = featureTaps(folded, ['features']);
  const dim = taps.outputs[0]?.shape[1] as number;
  const plain = new Float32Array(cache.count * dim);
  const flipped = new Float32Array(cache.count * dim);
  const progress = createProgress({ label: 'features', total: cache.count, unit: 'img', quiet });
  const rows = Array.from({ length: cache.count }, (_, i) => i);
  const batches = chunk(rows, FEATURE_BATCH);
  const read = (rows: number[]) => {
    const p = cache.read(rows);
    p.catch(() => {}); // see prefetch in predict.ts
    return p;
  };
  let pending = batches.length ? read(batches[0]!) : null;
  let done = 0;
  try {
    for (let b = 0; b < batches.length; b++) {
      const pixels = await (pending as Promise<Uint8Array>);
      const next = batches[b + 1];
      if (next) pending = read(next);
      const idx = batches[b]!;
      const [p, f] = tf.tidy(() =>
        ttaViews(pixels, idx.length, cache.height, cache.width, { mean: augment.mean, std: augment.std }).map(
          (view) => new Float32Array((taps.predict(view) as tf.Tensor).dataSync()),
        ),
      ) as [Float32Array, Float32Array];
      plain.set(p, idx[0]! * dim);
      flipped.set(f, idx[0]! * dim);
      progress.tick(idx.length);
      done += idx.length;
      faultPoint('feature-batch');
    }
  } catch (err) {
    if (isOutOfMemory(err)) throw outOfMemoryError(err as Error, { task: 'train:features', during: `after ${done} of ${cache.count} photos`, batchSize: FEATURE_BATCH, setting: null });
    throw err;
  } finally {
    progress.stop();
    folded.dispose();
  }
  return { dim, plain, flipped, count: cache.count };
}
