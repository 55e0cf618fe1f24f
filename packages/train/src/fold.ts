import { mkdir } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  formatReport,
  pseudoLabelsArtifact,
  readArtifact,
  readEvalList,
  readFingerprint,
  readSamples,
  workLayout,
  writeArtifact,
  type FoldSummary,
  type Round,
  type StageParams,
} from '@facemask/contracts';
import { saveModel } from '@facemask/engine';
import { augmentDescriptionArtifact, describeAugmentation } from '@facemask/augment';
import { openImageCache } from '@facemask/image-cache';
import { foldStore } from './checkpoint.ts';
import { featureSetup } from './features.ts';
import { foldSummary, predictFold } from './finish.ts';
import { createHeadAdapter } from './head.ts';
import { trainLoop } from './loop.ts';
import { ageBandsOf, createFoldModel, trainingView } from './model.ts';
import { isOutOfMemory, outOfMemoryError } from './oom.ts';
import { concatCaches, foldRows } from './rows.ts';
import { foldRunKey } from './run-key.ts';
import { imageSource, type BatchSource } from './source.ts';
import { formatFoldSummary } from './summary.ts';
import { writeFoldOutcome } from './write.ts';

export type TrainParams = StageParams<'train'>;

export interface FoldOptions {
  /** data.work: upstream artifacts are read from it, the fold writes `train/round<r>/fold-<k>/`. */
  work: string;
  round: Round;
  fold: number;
  /** Stop after this many epochs of this invocation (tests of resume); the run stays resumable. */
  stopAfterEpochs?: number;
  quiet?: boolean;
  log?: (line: string) => void;
}

export interface FoldResult {
  summary: FoldSummary;
  /** The one-screen end-of-fold report (complete folds). */
  text: string | null;
}

/**
 * Trains one fold of one round on the active tfjs backend, resuming from its last complete
 * epoch, and writes its artifacts when every epoch is done.
 */
export async function runFold(params: TrainParams, opts: FoldOptions): Promise<FoldResult> {
  const log = opts.log ?? ((l: string) => console.error(l));
  const quiet = opts.quiet ?? false;
  const { work, round, fold } = opts;
  const samples = await readSamples(work);
  if (!Number.isInteger(fold) || fold < 0 || fold >= samples.folds) {
    throw new Error(`fold ${fold} does not exist: preprocess made folds 0..${samples.folds - 1} (preprocess.folds)`);
  }
  const evalList = await readEvalList(work);
  const fingerprint = await readFingerprint(work);
  const pseudo = round === 2 ? await readArtifact(pseudoLabelsArtifact, workLayout.pseudoLabel(work).samples) : null;
  if (round === 2 && !pseudo?.enabled) throw new Error('round 2 needs pseudo-labels: set pseudo.enabled in the config (round 2 trains on them)');

  // A store not on this disk (preprocess's output came from a cache) is rebuilt from the photos under params.root.
  const trainCache = await openImageCache(work, 'train', { root: params.root, quiet });
  const cache = concatCaches(trainCache, await openImageCache(work, 'eval', { root: params.root, quiet }));
  try {
    const rows = foldRows(samples, evalList, trainCache.count, fold, pseudo);
    const runKey = foldRunKey(params, { round, fold, fingerprint, pseudo, engine: tf.getBackend() });
    const input = { height: cache.height, width: cache.width };
    // Only the exact-age heads read the bands off ages; the band head's model does not depend on them.
    const ageBands = params.model.ageHead !== 'bands' ? ageBandsOf(fingerprint) : { young: 30, old: 60 };
    const model = await createFoldModel(params, input, log, ageBands);
    let headModel: LayersModel | null = null;
    try {
      const head = createHeadAdapter(params.model.head, params.loss, params.train.classWeights ? rows.trainRows.map((r) => r.cls) : null, {
        kind: params.model.ageHead,
        ...ageBands,
        sigma: params.model.ageSigma,
      });
      const paths = workLayout.fold(work, round, fold);
      await mkdir(paths.dir, { recursive: true });
      await writeArtifact(augmentDescriptionArtifact, paths.augment, describeAugmentation(params.augment.train, { ...params.augment, outHeight: input.height, outWidth: input.width }));

      // In features mode only the head trains, on pooled features computed once.
      let source: BatchSource<unknown>;
      let trained: LayersModel = model;
      if (params.train.mode === 'features') {
        const f = await featureSetup(params, work, model, cache, fingerprint);
        source = f.source as BatchSource<unknown>;
        headModel = trained = f.headModel;
      } else {
        source = imageSource(cache, { augment: params.augment, height: input.height, width: input.width, seed: params.seed, targetWidth: head.targetWidth }) as BatchSource<unknown>;
        // The view holds no weights of its own (its layers are the model's, applied once), so it
        // is not disposed: disposing it would release the model's layers.
        trained = trainingView(model);
      }
      const ctx = { params, round, fold, head, rows };
      const store = foldStore(paths.dir, trained !== model ? { whole: model } : {});
      const loop = await trainLoop({ ...ctx, runKey, store, stopAfterEpochs: opts.stopAfterEpochs, quiet, log }, source, trained);
      if (!loop.complete) return { summary: foldSummary(ctx, loop.state, loop.history, false), text: null };

      await store.restoreBest(trained);
      await store.complete();
      const outcome = await predictFold(ctx, source, trained, loop.state, loop.history).catch((err: unknown) => {
        if (!isOutOfMemory(err)) throw err;
        // Prediction batches are max(train.batchSize, 16): only a batch size above 16 is worth lowering.
        const batchSize = Math.max(params.train.batchSize, 16);
        throw outOfMemoryError(err as Error, { task: `fold ${fold}`, during: 'predicting with the best weights', batchSize, setting: batchSize > 16 ? 'train.batchSize' : null });
      });
      // The fold's model is the whole classifier on photos, whichever part trained.
      if (trained !== model) await saveModel(model, paths.best, { metadata: { fold, round, mode: params.train.mode } });
      const text = formatFoldSummary(outcome.summary, loop.history, formatReport(outcome.oofClasses.yTrue, outcome.oofClasses.yPred));
      await writeFoldOutcome(work, round, fold, outcome, text);
      return { summary: outcome.summary, text };
    } finally {
      // The head model holds the full model's head layers: release it first so they are freed.
      headModel?.dispose();
      model.dispose();
    }
  } finally {
    await cache.close();
  }
}
