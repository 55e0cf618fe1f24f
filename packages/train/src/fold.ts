import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  accuracy,
  classScores,
  createProgress,
  formatReport,
  hashJson,
  macroF1,
  NUM_CLASSES,
  pseudoLabelsArtifact,
  pseudoLabelsPath,
  readArtifact,
  saveModel,
  writeArtifact,
  writeFileAtomic,
  type PipelineConfig,
} from '@facemask/core';
import { describeAugmentation, augmentDescriptionArtifact } from '@facemask/augment';
import { createModel, foldBatchNorms } from '@facemask/model-resnet';
import { openImageCache, readEvalList, readFingerprint, readSamples } from '@facemask/preprocess';
import { loadCheckpoint, readRunState, restoreWeights, saveCheckpoint, type RunState } from './checkpoint.ts';
import { readEpochLog, writeEpochLog, type EpochRecord } from './epoch-log.ts';
import { featureRun } from './features.ts';
import { createHeadAdapter, type HeadAdapter } from './head.ts';
import { foldDir, foldFiles } from './layout.ts';
import { createLrSchedule, createOptimizer, type TorchOptimizer } from './optim/index.ts';
import { predictionsArtifact, type Predictions } from './predictions.ts';
import { concatCaches } from './rows.ts';
import { chunk, planEpoch } from './sampler.ts';
import { imageSource, type BatchSource } from './source.ts';
import { DivergedError, evalBatch, trainableVariables, trainStep } from './step.ts';
import { foldSummaryArtifact, formatFoldSummary, type FoldSummary } from './summary.ts';

export interface FoldOptions {
  round: 1 | 2;
  fold: number;
  /** Stop after this many epochs of this invocation (tests of resume); the run stays resumable. */
  stopAfterEpochs?: number;
  quiet?: boolean;
  log?: (line: string) => void;
}

/** A labelled training or validation row: a row of the (train+eval) image cache and its target. */
interface Row {
  id: string;
  cacheRow: number;
  cls: number;
  target: number[];
}

function oneHot(cls: number): number[] {
  const t = new Array<number>(NUM_CLASSES).fill(0);
  t[cls] = 1;
  return t;
}

/** Trains one fold of one round and writes its artifacts; resumes from the last complete epoch. */
export async function runFold(cfg: PipelineConfig, opts: FoldOptions): Promise<FoldSummary> {
  const log = opts.log ?? ((l: string) => console.error(l));
  const { round, fold } = opts;
  const work = cfg.data.work;
  const dir = foldDir(work, round, fold);
  const samples = await readSamples(work);
  if (!Number.isInteger(fold) || fold < 0 || fold >= samples.folds) {
    throw new Error(`fold ${fold} does not exist: preprocess made folds 0..${samples.folds - 1} (preprocess.folds)`);
  }
  const evalList = await readEvalList(work);
  const fingerprint = await readFingerprint(work);
  const pseudo = round === 2 ? await readArtifact(pseudoLabelsArtifact, pseudoLabelsPath(work)) : null;
  if (round === 2 && !pseudo?.enabled) throw new Error('round 2 needs pseudo-labels: set pseudo.enabled in the config (round 2 trains on them)');

  const trainCache = await openImageCache(work, 'train');
  const evalCache = await openImageCache(work, 'eval');
  const cache = concatCaches(trainCache, evalCache);
  try {
    const evalRowOf = new Map(evalList.images.map((e) => [e.ImageID, trainCache.count + e.cacheIndex]));
    const trainRows: Row[] = [];
    const valRows: Row[] = [];
    for (const s of samples.samples) {
      const row = { id: s.id, cacheRow: s.cacheIndex, cls: s.cls, target: oneHot(s.cls) };
      (s.fold === fold ? valRows : trainRows).push(row);
    }
    for (const p of pseudo?.samples ?? []) {
      const r = evalRowOf.get(p.id);
      if (r === undefined) throw new Error(`pseudo-label ${p.id} is not in the eval list: rerun pseudo-label:run`);
      trainRows.push({ id: `eval:${p.id}`, cacheRow: r, cls: p.cls, target: oneHot(p.cls) });
    }
    if (valRows.length === 0) throw new Error(`fold ${fold} has no validation photos: check preprocess.folds`);
    const evalRows = evalList.images.map((e) => trainCache.count + e.cacheIndex);

    const runKey = hashJson({
      round,
      fold,
      seed: cfg.seed,
      augment: cfg.augment,
      model: cfg.model,
      loss: cfg.loss,
      optim: cfg.optim,
      scheduler: cfg.scheduler,
      train: cfg.train,
      data: fingerprint.dataset,
      options: fingerprint.optionsHash,
      pseudo: pseudo?.samples ?? null,
    });

    const input = { height: cache.height, width: cache.width };
    const mode = cfg.train.mode;
    const model = await createModel(cfg.model.arch, {
      inputHeight: input.height,
      inputWidth: input.width,
      head: cfg.model.head,
      pretrained: cfg.model.pretrained,
      trainableStages: mode === 'finetune' ? cfg.model.trainableStages : 0,
      dropout: cfg.model.dropout,
      widthMultiplier: cfg.model.widthMultiplier,
      seed: cfg.seed,
      inputMean: cfg.augment.mean,
      inputStd: cfg.augment.std,
    }, { log });
    try {
      const head = createHeadAdapter(cfg.model.head, cfg.loss, cfg.train.classWeights ? trainRows.map((r) => r.cls) : null);
      await mkdir(dir, { recursive: true });
      await writeArtifact(augmentDescriptionArtifact, join(dir, foldFiles.augment), describeAugmentation(cfg.augment.train, { ...cfg.augment, outHeight: input.height, outWidth: input.width }));

      const ctx: LoopContext = { cfg, dir, model, head, trainRows, valRows, evalRows, evalIds: evalList.images.map((e) => e.ImageID), runKey, opts, log, round, fold };
      if (mode === 'features') return await featureRun(ctx, cache);
      return await trainLoop(ctx, imageSource(cache, { augment: cfg.augment, height: input.height, width: input.width, seed: cfg.seed }), model);
    } finally {
      model.dispose();
    }
  } finally {
    await cache.close();
  }
}

export interface LoopContext {
  cfg: PipelineConfig;
  dir: string;
  model: LayersModel;
  head: HeadAdapter;
  trainRows: Row[];
  valRows: Row[];
  evalRows: number[];
  evalIds: string[];
  runKey: string;
  opts: FoldOptions;
  log: (line: string) => void;
  round: number;
  fold: number;
}

/**
 * The epoch loop over a batch source, shared by the image modes and the cached-feature mode
 * (where `model` is the head alone).
 */
export async function trainLoop<Raw>(ctx: LoopContext, source: BatchSource<Raw>, model: LayersModel): Promise<FoldSummary> {
  const { cfg, dir, head, log } = ctx;
  const epochs = cfg.train.epochs;
  const optimizer: TorchOptimizer = createOptimizer(cfg.optim, trainableVariables(model));
  const schedule = createLrSchedule(cfg.scheduler, cfg.optim, epochs);
  const lastDir = join(dir, foldFiles.last);
  const bestDir = join(dir, foldFiles.best);
  const metricsPath = join(dir, foldFiles.metrics);
  try {
    let state: RunState = { runKey: ctx.runKey, epoch: -1, bestMacroF1: -1, bestEpoch: -1 };
    let history: EpochRecord[] = [];
    const saved = await readRunState(lastDir).catch((err: Error) => {
      log(`fold ${ctx.fold}: ignoring the checkpoint in ${lastDir} (${err.message})`);
      return null;
    });
    if (saved && saved.runKey === ctx.runKey) {
      await loadCheckpoint(lastDir, model, optimizer);
      state = saved;
      history = (await readEpochLog(metricsPath)).filter((r) => r.epoch <= state.epoch);
      log(`fold ${ctx.fold}: resuming after epoch ${state.epoch + 1}/${epochs} from ${lastDir}`);
    } else {
      if (saved) log(`fold ${ctx.fold}: the checkpoint in ${lastDir} is for another config or data: starting over`);
      await rm(lastDir, { recursive: true, force: true });
      await rm(bestDir, { recursive: true, force: true });
      await writeEpochLog(metricsPath, []);
    }

    const bs = cfg.train.batchSize;
    const trainClasses = ctx.trainRows.map((r) => r.cls);
    const batchesPerEpoch = planEpoch(trainClasses, { seed: cfg.seed, epoch: 0, batchSize: bs, sampler: cfg.train.sampler, dropLast: true }).length;
    const remaining = epochs - (state.epoch + 1);
    const progress = createProgress({
      label: `train r${ctx.round} fold ${ctx.fold}`,
      total: remaining * batchesPerEpoch * bs,
      unit: 'img',
      quiet: ctx.opts.quiet ?? false,
    });
    // Tensors alive after an epoch: constant from the second epoch on (the first creates the
    // optimiser's state); a change means a leak.
    let tensorsAfterEpoch: number | null = null;
    let ranThisCall = 0;
    try {
      for (let epoch = state.epoch + 1; epoch < epochs; epoch++) {
        if (ctx.opts.stopAfterEpochs !== undefined && ranThisCall >= ctx.opts.stopAfterEpochs) break;
        const t0 = Date.now();
        optimizer.lr = schedule(epoch);
        const batches = planEpoch(trainClasses, { seed: cfg.seed, epoch, batchSize: bs, sampler: cfg.train.sampler, dropLast: true });
        let lossSum = 0;
        let seen = 0;
        let pending = prefetch(source, batches[0]!.map((i) => ctx.trainRows[i]!.cacheRow));
        for (let b = 0; b < batches.length; b++) {
          const raw = await pending;
          const next = batches[b + 1];
          if (next) pending = prefetch(source, next.map((i) => ctx.trainRows[i]!.cacheRow));
          const idx = batches[b]!;
          const { x, y } = source.train(raw, idx.map((i) => ctx.trainRows[i]!.target), epoch, b);
          let loss: number;
          try {
            loss = trainStep(model, head, optimizer, x, y);
          } catch (err) {
            if (err instanceof DivergedError) {
              throw new DivergedError(
                `training diverged in fold ${ctx.fold}, epoch ${epoch + 1}, batch ${b + 1}: ${err.message}. ` +
                  `The last good checkpoint (after epoch ${state.epoch + 1}) is kept in ${lastDir}; lower optim.lr or check the data, then rerun.`,
              );
            }
            throw err;
          } finally {
            x.dispose();
            y.dispose();
          }
          lossSum += loss * idx.length;
          seen += idx.length;
          progress.tick(idx.length, { epoch: epoch + 1, loss });
        }
        const trainSeconds = (Date.now() - t0) / 1000;
        const val = await predictRows(source, model, head, ctx.valRows.map((r) => r.cacheRow), ctx.valRows.map((r) => r.target), bs, false);
        const yTrue = ctx.valRows.map((r) => r.cls);
        const yPred = argmaxRows(val.probs);
        const f1 = macroF1(yTrue, yPred);
        const scores = classScores(yTrue, yPred, { labels: Array.from({ length: NUM_CLASSES }, (_, i) => i), zeroDivision: 0 });
        const record: EpochRecord = {
          epoch,
          lr: optimizer.lr,
          trainLoss: lossSum / Math.max(1, seen),
          valLoss: val.loss,
          accuracy: accuracy(yTrue, yPred),
          macroF1: f1,
          perClassF1: scores.f1,
          imagesPerSecond: seen / Math.max(1e-3, trainSeconds),
          seconds: (Date.now() - t0) / 1000,
        };
        history.push(record);
        const improved = f1 > state.bestMacroF1;
        state = { runKey: ctx.runKey, epoch, bestMacroF1: improved ? f1 : state.bestMacroF1, bestEpoch: improved ? epoch : state.bestEpoch };
        if (improved) await saveModel(model, bestDir, { metadata: { epoch, macroF1: f1, fold: ctx.fold, round: ctx.round } });
        await writeEpochLog(metricsPath, history);
        await saveCheckpoint(lastDir, model, optimizer, state);
        ranThisCall++;
        if (!ctx.opts.quiet) {
          log(`fold ${ctx.fold} epoch ${epoch + 1}/${epochs}: loss ${record.trainLoss.toFixed(4)} val ${record.valLoss.toFixed(4)} acc ${record.accuracy.toFixed(4)} F1 ${f1.toFixed(4)}${improved ? ' *' : ''} (${record.imagesPerSecond.toFixed(1)} img/s)`);
        }
        const alive = tf.memory().numTensors;
        if (tensorsAfterEpoch !== null && alive !== tensorsAfterEpoch && ranThisCall > 1) {
          throw new Error(`internal error: ${alive - tensorsAfterEpoch} tensors leaked during epoch ${epoch + 1}`);
        }
        tensorsAfterEpoch = alive;
      }
    } finally {
      progress.stop();
    }
    if (state.epoch < epochs - 1) {
      return partialSummary(ctx, state, history);
    }
    return await finishFold(ctx, source, model, state, history);
  } finally {
    optimizer.dispose();
  }
}

/**
 * Starts loading a batch in the background. If training stops before the batch is used (an
 * error, a divergence), the cache closes under the read: that rejection is expected and must not
 * surface as an unhandled one, which the wasm backend turns into a process crash.
 */
function prefetch<Raw>(source: BatchSource<Raw>, rows: number[]): Promise<Raw> {
  const p = source.fetch(rows);
  p.catch(() => {});
  return p;
}

export function argmaxRows(probs: Float32Array, k = NUM_CLASSES): number[] {
  const n = probs.length / k;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if ((probs[i * k + c] as number) > (probs[i * k + best] as number)) best = c;
    out[i] = best;
  }
  return out;
}

/** Probabilities of the given rows, batch by batch, optionally averaging the mirrored view. */
export async function predictRows<Raw>(
  source: BatchSource<Raw>,
  model: LayersModel,
  head: HeadAdapter,
  rows: number[],
  targets: number[][] | null,
  batchSize: number,
  tta: boolean,
): Promise<{ probs: Float32Array; loss: number }> {
  const probs = new Float32Array(rows.length * NUM_CLASSES);
  let lossSum = 0;
  let offset = 0;
  const batches = chunk(rows.map((_, i) => i), batchSize);
  let pending = batches.length ? prefetch(source, batches[0]!.map((i) => rows[i]!)) : null;
  // Once for all batches: BatchNorms folded into the convolutions (same outputs, fewer kernels).
  const inference = model.layers.some((l) => l.getClassName() === 'TorchBatchNorm') ? foldBatchNorms(model) : model;
  try {
    for (let b = 0; b < batches.length; b++) {
      const raw = await (pending as Promise<Raw>);
      const next = batches[b + 1];
      if (next) pending = prefetch(source, next.map((i) => rows[i]!));
      const idx = batches[b]!;
      const views = source.views(raw, tta);
      const y = targets ? tf.tensor2d(idx.map((i) => targets[i]!), [idx.length, NUM_CLASSES]) : null;
      try {
        const r = evalBatch(inference, head, views, y);
        probs.set(r.probs, offset * NUM_CLASSES);
        lossSum += r.lossSum;
      } finally {
        tf.dispose(views);
        y?.dispose();
      }
      offset += idx.length;
    }
  } finally {
    if (inference !== model) inference.dispose();
  }
  return { probs, loss: rows.length ? lossSum / rows.length : 0 };
}

async function partialSummary(ctx: LoopContext, state: RunState, history: EpochRecord[]): Promise<FoldSummary> {
  return {
    round: ctx.round,
    fold: ctx.fold,
    complete: false,
    epochs: ctx.cfg.train.epochs,
    epochsDone: state.epoch + 1,
    bestEpoch: state.bestEpoch,
    bestMacroF1: state.bestMacroF1,
    bestAccuracy: history.find((h) => h.epoch === state.bestEpoch)?.accuracy ?? 0,
    trainSamples: ctx.trainRows.length,
    valSamples: ctx.valRows.length,
    evalSamples: ctx.evalRows.length,
    imagesPerSecond: mean(history.map((h) => h.imagesPerSecond)),
    seconds: history.reduce((s, h) => s + h.seconds, 0),
    mode: ctx.cfg.train.mode,
  };
}

async function finishFold<Raw>(ctx: LoopContext, source: BatchSource<Raw>, model: LayersModel, state: RunState, history: EpochRecord[]): Promise<FoldSummary> {
  const { cfg, dir } = ctx;
  await restoreWeights(join(dir, foldFiles.best), model);
  const tta = cfg.augment.tta;
  const bs = Math.max(cfg.train.batchSize, 16);
  const oof = await predictRows(source, model, ctx.head, ctx.valRows.map((r) => r.cacheRow), null, bs, tta);
  const ev = await predictRows(source, model, ctx.head, ctx.evalRows, null, bs, tta);
  const source_ = `round${ctx.round}/fold-${ctx.fold}`;
  const oofPred: Predictions = { source: source_, split: 'oof', numClasses: NUM_CLASSES, ids: ctx.valRows.map((r) => r.id), probs: Array.from(oof.probs), labels: ctx.valRows.map((r) => r.cls) };
  const evalPred: Predictions = { source: source_, split: 'eval', numClasses: NUM_CLASSES, ids: ctx.evalIds, probs: Array.from(ev.probs), labels: null };
  await writeArtifact(predictionsArtifact, join(dir, foldFiles.oof), clampProbs(oofPred));
  await writeArtifact(predictionsArtifact, join(dir, foldFiles.eval), clampProbs(evalPred));
  const yTrue = ctx.valRows.map((r) => r.cls);
  const yPred = argmaxRows(oof.probs);
  const summary: FoldSummary = {
    ...(await partialSummary(ctx, state, history)),
    complete: true,
    bestMacroF1: macroF1(yTrue, yPred),
    bestAccuracy: accuracy(yTrue, yPred),
  };
  await writeArtifact(foldSummaryArtifact, join(dir, foldFiles.summary), summary);
  const text = formatFoldSummary(summary, history, formatReport(yTrue, yPred));
  await writeFileAtomic(join(dir, foldFiles.summaryText), text + '\n');
  if (!ctx.opts.quiet) console.log(text);
  return summary;
}

/** float32 sums can exceed 1 by an ulp; the artifact schema wants [0, 1]. */
function clampProbs(p: Predictions): Predictions {
  return { ...p, probs: p.probs.map((v) => Math.min(1, Math.max(0, v))) };
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}
