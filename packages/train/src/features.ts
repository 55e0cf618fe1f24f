import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { input as tfInput, model as tfModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { createProgress, hashJson, readSafetensors, Rng, saveModel, tensorF32, writeSafetensors } from '@facemask/core';
import { ttaViews } from '@facemask/augment';
import { featureTaps, foldBatchNorms, MULTI_HEADS } from '@facemask/model-resnet';
import { readFingerprint, type ImageCache } from '@facemask/preprocess';
import { chunk } from './sampler.ts';
import { featureSource, type FeatureTable } from './source.ts';
import { featureCacheDir, foldFiles } from './layout.ts';
import { trainLoop, type LoopContext } from './fold.ts';
import type { FoldSummary } from './summary.ts';

/**
 * The CPU user's fast path: the frozen backbone's pooled features are computed once per data set
 * and model (plain and mirrored view of every cached photo, shared by every fold), then only the
 * head trains, for as many epochs as wanted, at thousands of samples per second.
 */
export async function featureRun(ctx: LoopContext, cache: ImageCache): Promise<FoldSummary> {
  const { cfg, model } = ctx;
  const fp = await readFingerprint(cfg.data.work);
  const key = hashJson({
    model: { ...cfg.model, head: null, dropout: null },
    seed: cfg.model.pretrained ? null : cfg.seed,
    mean: cfg.augment.mean,
    std: cfg.augment.std,
    data: fp.dataset,
    options: fp.optionsHash,
    h: cache.height,
    w: cache.width,
  }).slice(0, 16);
  const table = await loadOrComputeFeatures(featureCacheDir(cfg.data.work, key), model, cache, cfg.augment, ctx.opts.quiet ?? false, ctx.log);
  const headModel = headOnly(model, table.dim);
  const flip = cfg.augment.train.find((t) => t.type === 'hflip');
  const source = featureSource(table, {
    flipP: flip ? flip.p : 0,
    rngFor: (epoch, batch) => {
      const rng = Rng.derive(cfg.seed, 'feature-flip', epoch, batch);
      return () => rng.next();
    },
  });
  try {
    const summary = await trainLoop(ctx, source, headModel);
    // The head's layers are the full model's own, so the full model now holds the best head:
    // save it as the fold's model, a complete classifier on photos.
    if (summary.complete) await saveModel(model, join(ctx.dir, foldFiles.best), { metadata: { fold: ctx.fold, round: ctx.round, mode: 'features' } });
    return summary;
  } finally {
    // Releases the head model's hold on the shared layers (tfjs counts a layer's uses), so that
    // disposing the full model frees them.
    headModel.dispose();
  }
}

/** A model over pooled features made of the full model's own head layers (weights shared). */
export function headOnly(model: LayersModel, dim: number): LayersModel {
  const names = model.outputNames.length === 3 ? MULTI_HEADS.map((h) => h.name) : ['fc'];
  const x = tfInput({ name: 'features_in', shape: [dim] });
  let h: SymbolicTensor = x;
  const dropout = model.layers.find((l) => l.name === 'dropout');
  if (dropout) h = dropout.apply(h) as SymbolicTensor;
  const outputs = names.map((n) => model.getLayer(n).apply(h) as SymbolicTensor);
  return tfModel({ name: `${model.name}_head`, inputs: x, outputs });
}

async function loadOrComputeFeatures(
  dir: string,
  model: LayersModel,
  cache: ImageCache,
  augment: { mean: readonly number[]; std: readonly number[] },
  quiet: boolean,
  log: (l: string) => void,
): Promise<FeatureTable> {
  const file = join(dir, 'features.safetensors');
  try {
    const st = await readSafetensors(file);
    const plain = st.tensors.get('plain');
    const flipped = st.tensors.get('flipped');
    if (plain && flipped && plain.shape[0] === cache.count) {
      return { dim: plain.shape[1] as number, plain: tensorF32(plain), flipped: tensorF32(flipped), count: cache.count };
    }
  } catch {
    // absent or unreadable: compute below
  }
  log(`computing backbone features for ${cache.count} photos (once; cached in ${dir})`);
  // The backbone with its BatchNorms folded into the convolutions: same features, fewer kernels.
  const folded = foldBatchNorms(model);
  const taps = featureTaps(folded, ['features']);
  const dim = taps.outputs[0]?.shape[1] as number;
  const plain = new Float32Array(cache.count * dim);
  const flipped = new Float32Array(cache.count * dim);
  const progress = createProgress({ label: 'features', total: cache.count, unit: 'img', quiet });
  const rows = Array.from({ length: cache.count }, (_, i) => i);
  const batches = chunk(rows, 32);
  const read = (rows: number[]) => {
    const p = cache.read(rows);
    p.catch(() => {}); // see prefetch in fold.ts
    return p;
  };
  let pending = batches.length ? read(batches[0]!) : null;
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
    }
  } finally {
    folded.dispose();
  }
  progress.stop();
  await writeSafetensors(file, {
    plain: { dtype: 'F32', shape: [cache.count, dim], data: plain },
    flipped: { dtype: 'F32', shape: [cache.count, dim], data: flipped },
  });
  return { dim, plain, flipped, count: cache.count };
}
