import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { dirname } from 'node:path';
import { CACHE_SPLITS, hashJson, imageCacheIndexArtifact, readArtifact, readFingerprint, shownPath, workLayout, WORKSPACE_ROOT, type StageParams } from '@facemask/contracts';
import { currentBackend } from '@facemask/engine';
import { engineIdentity } from '@facemask/engine/probe';
import { createModel } from '@facemask/model-resnet';
import { openImageCache } from '@facemask/image-cache';
import { extractFeatures } from './features.ts';
import { featureStoreKey, findFeatureStore, modelDigest, publishFeatureStore } from './feature-store.ts';
import { linkFeatures, writeFeatures } from './features-io.ts';
import { concatCaches } from './rows.ts';

export type FeaturesParams = StageParams<'features'>;

export interface FeaturesOptions {
  /** data.work: reads the preprocess artifacts, writes `train/features/`. */
  work: string;
  quiet?: boolean;
  log?: (line: string) => void;
}

/**
 * The `train:features` task: the frozen backbone's pooled features of every cached photo (train
 * cache, then eval cache; plain and mirrored view), computed once on the active tfjs backend for
 * every fold of train.mode "features".
 */
export async function runFeatures(params: FeaturesParams, opts: FeaturesOptions): Promise<{ count: number; dim: number }> {
  const log = opts.log ?? ((l: string) => console.error(l));
  const fp = await readFingerprint(opts.work);
  // What a fold compares (featureParams of its own slice): the params without the data root.
  const { root, ...feature } = params;
  const indexes = await Promise.all(CACHE_SPLITS.map((s) => readArtifact(imageCacheIndexArtifact, workLayout.imageCache(workLayout.preprocess(opts.work).dir, s).index)));
  const [height, width] = [indexes[0]!.height, indexes[0]!.width];
  if (height !== params.size.height || width !== params.size.width) {
    throw new Error(`the image cache is ${height}x${width}, the config says ${params.size.height}x${params.size.width}: rerun \`nx run preprocess:run\``);
  }
  const meta = { paramsHash: hashJson(feature), engine: tf.getBackend(), dataset: fp.dataset, optionsHash: fp.optionsHash, height, width };
  // The whole backbone slice (featureLayers included) reaches the registry.
  const { arch, ...backbone } = params.backbone;
  const model = await createModel(
    arch,
    {
      ...backbone,
      // The features stop before the head, which featureParams leaves out (head: the default
      // 'single'); the band age head is the one a single head can have.
      ageHead: 'bands',
      inputHeight: height,
      inputWidth: width,
      trainableStages: 0,
      // A pretrained backbone does not depend on the seed (featureParams leaves it out); the head is not used.
      seed: params.seed ?? 0,
      inputMean: params.mean,
      inputStd: params.std,
    },
    { log },
  );
  try {
    // The engine that loaded stands for the configured preference (auto or a name) in the key.
    const { backend: _preference, ...keyParams } = feature;
    const engine = currentBackend()?.name ?? tf.getBackend();
    const key = featureStoreKey({ params: keyParams, model: modelDigest(model), engine: engineIdentity(engine), pixels: indexes.map((i) => i.pixelsSha256) });
    const stored = await findFeatureStore(opts.work, key, log);
    if (stored) {
      await linkFeatures(opts.work, { table: stored.table, ...stored.entry }, meta);
      log(`no backbone ran: the features of ${stored.entry.count} photos come from the shared feature store ${shownPath(dirname(stored.table), WORKSPACE_ROOT)}`);
      return { count: stored.entry.count, dim: stored.entry.dim };
    }
    const open = { root, quiet: opts.quiet };
    const cache = concatCaches(await openImageCache(opts.work, 'train', open), await openImageCache(opts.work, 'eval', open));
    try {
      log(`computing backbone features for ${cache.count} photos (once, for every fold)`);
      const table = await extractFeatures(model, cache, params, opts.quiet ?? false);
      const tableSha256 = await writeFeatures(opts.work, table, meta);
      const published = await publishFeatureStore(opts.work, key, workLayout.features(opts.work).table, { count: table.count, dim: table.dim, engine, tableSha256 });
      log(`stored for other runs in ${shownPath(dirname(published), WORKSPACE_ROOT)}`);
      return { count: table.count, dim: table.dim };
    } finally {
      await cache.close();
    }
  } finally {
    model.dispose();
  }
}
