import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { hashJson, readFingerprint, type StageParams } from '@facemask/contracts';
import { createModel } from '@facemask/model-resnet';
import { openImageCache } from '@facemask/image-cache';
import { extractFeatures } from './features.ts';
import { writeFeatures } from './features-io.ts';
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
  const open = { root, quiet: opts.quiet };
  const cache = concatCaches(await openImageCache(opts.work, 'train', open), await openImageCache(opts.work, 'eval', open));
  try {
    if (cache.height !== params.size.height || cache.width !== params.size.width) {
      throw new Error(`the image cache is ${cache.height}x${cache.width}, the config says ${params.size.height}x${params.size.width}: rerun \`nx run preprocess:run\``);
    }
    // The whole backbone slice (featureLayers included) reaches the registry.
    const { arch, ...backbone } = params.backbone;
    const model = await createModel(
      arch,
      {
        ...backbone,
        // The features stop before the head, which featureParams leaves out (head: the default
        // 'single'); the band age head is the one a single head can have.
        ageHead: 'bands',
        inputHeight: cache.height,
        inputWidth: cache.width,
        trainableStages: 0,
        // A pretrained backbone does not depend on the seed (featureParams leaves it out); the head is not used.
        seed: params.seed ?? 0,
        inputMean: params.mean,
        inputStd: params.std,
      },
      { log },
    );
    try {
      log(`computing backbone features for ${cache.count} photos (once, for every fold)`);
      const table = await extractFeatures(model, cache, params, opts.quiet ?? false);
      await writeFeatures(opts.work, table, { paramsHash: hashJson(feature), engine: tf.getBackend(), dataset: fp.dataset, optionsHash: fp.optionsHash, height: cache.height, width: cache.width });
      return { count: table.count, dim: table.dim };
    } finally {
      model.dispose();
    }
  } finally {
    await cache.close();
  }
}
