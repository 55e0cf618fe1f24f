import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { accuracy, classScores, createProgress, faultPoint, macroF1, NUM_CLASSES, type EpochRecord, type StageParams } from '@facemask/contracts';
import type { FoldStore, RunState } from './checkpoint.ts';
import type { HeadAdapter } from './head.ts';
import { isOutOfMemory, outOfMemoryError } from './oom.ts';
import { createLrSchedule, createOptimizer } from './optim/index.ts';
import { argmaxRows, prefetch, predictRows } from './predict.ts';
import type { FoldRows } from './rows.ts';
import { planEpoch } from './sampler.ts';
import type { BatchSource } from './source.ts';
import { DivergedError, trainableVariables, trainStep } from './step.ts';

export interface LoopContext {
  params: Pick<StageParams<'train'>, 'seed' | 'train' | 'optim' | 'scheduler'>;
  round: number;
  fold: number;
  head: HeadAdapter;
  rows: FoldRows;
  /** The resume key (run-key.ts): a checkpoint with another key is not resumed. */
  runKey: string;
  store: FoldStore;
  /** Stop after this many epochs of this invocation (tests of resume); the run stays resumable. */
  stopAfterEpochs?: number;
  quiet: boolean;
  log: (line: string) => void;
}

export interface LoopResult {
  state: RunState;
  history: EpochRecord[];
  /** Every epoch done; the best weights are in the store. */
  complete: boolean;
}

/**
 * The epoch loop over a batch source, shared by the image modes and the cached-feature mode
 * (where `model` is the head alone). Resumes from the store's last complete epoch; after every
 * epoch the store keeps the best model, the epoch log and a checkpoint.
 */
export async function trainLoop<Raw>(ctx: LoopContext, source: BatchSource<Raw>, model: LayersModel): Promise<LoopResult> {
  const { params, rows, log } = ctx;
  const { epochs, batchSize: bs, sampler } = params.train;
  const optimizer = createOptimizer(params.optim, trainableVariables(model));
  const schedule = createLrSchedule(params.scheduler, params.optim, epochs);
  try {
    let state: RunState = { runKey: ctx.runKey, epoch: -1, bestMacroF1: -1, bestEpoch: -1 };
    let history: EpochRecord[] = [];
    const resumed = await ctx.store.resume(ctx.runKey, model, optimizer);
    if (resumed.kind === 'resumed') {
      ({ state, history } = resumed);
      log(`fold ${ctx.fold}: resuming after epoch ${state.epoch + 1}/${epochs} (${resumed.from})`);
    } else if (resumed.reason) {
      log(`fold ${ctx.fold}: ${resumed.reason}: starting the fold over`);
    }

    const trainClasses = rows.trainRows.map((r) => r.cls);
    const trainTargets = rows.trainRows.map((r) => ctx.head.trainTarget(r));
    const plan = (epoch: number) => planEpoch(trainClasses, { seed: params.seed, epoch, batchSize: bs, sampler, dropLast: true });
    const progress = createProgress({
      label: `train r${ctx.round} fold ${ctx.fold}`,
      total: (epochs - (state.epoch + 1)) * plan(0).length * bs,
      unit: 'img',
      quiet: ctx.quiet,
    });
    // Tensors alive after an epoch: constant from the second epoch on (the first creates the
    // optimiser's state); a change means a leak.
    let tensorsAfterEpoch: number | null = null;
    let ranThisCall = 0;
    // Where an out-of-memory failure happened, for its message.
    let during = '';
    try {
      for (let epoch = state.epoch + 1; epoch < epochs; epoch++) {
        if (ctx.stopAfterEpochs !== undefined && ranThisCall >= ctx.stopAfterEpochs) break;
        const t0 = Date.now();
        optimizer.lr = schedule(epoch);
        const batches = plan(epoch);
        let lossSum = 0;
        let seen = 0;
        let pending = prefetch(source, batches[0]!.map((i) => rows.trainRows[i]!.cacheRow));
        for (let b = 0; b < batches.length; b++) {
          const raw = await pending;
          const next = batches[b + 1];
          if (next) pending = prefetch(source, next.map((i) => rows.trainRows[i]!.cacheRow));
          const idx = batches[b]!;
          during = `training at epoch ${epoch + 1}, batch ${b + 1}`;
          const { x, y } = source.train(raw, idx.map((i) => trainTargets[i]!), epoch, b);
          let loss: number;
          try {
            loss = trainStep(model, ctx.head, optimizer, x, y);
          } catch (err) {
            if (err instanceof DivergedError) throw diverged(ctx, err.message, epoch, `batch ${b + 1}`, state);
            throw err;
          } finally {
            x.dispose();
            y.dispose();
          }
          faultPoint('train-batch');
          lossSum += loss * idx.length;
          seen += idx.length;
          progress.tick(idx.length, { epoch: epoch + 1, loss });
        }
        const trainSeconds = (Date.now() - t0) / 1000;
        during = `validating after epoch ${epoch + 1}`;
        const val = await predictRows(source, model, ctx.head, rows.valRows.map((r) => r.cacheRow), rows.valRows.map((r) => r.target), bs, false);
        // The probabilities themselves: the loss clips them, and on wasm the clip turns NaN into a number.
        const bad = val.probs.findIndex((p) => !Number.isFinite(p));
        if (bad >= 0) throw diverged(ctx, `the probabilities of validation photo ${rows.valRows[Math.floor(bad / NUM_CLASSES)]!.id} are ${val.probs[bad]}`, epoch, 'validation', state);
        if (!Number.isFinite(val.loss)) throw diverged(ctx, `validation loss is ${val.loss}`, epoch, 'validation', state);
        const yTrue = rows.valRows.map((r) => r.cls);
        const yPred = argmaxRows(val.probs);
        const f1 = macroF1(yTrue, yPred);
        const record: EpochRecord = {
          epoch,
          lr: optimizer.lr,
          trainLoss: lossSum / Math.max(1, seen),
          valLoss: val.loss,
          accuracy: accuracy(yTrue, yPred),
          macroF1: f1,
          perClassF1: classScores(yTrue, yPred, { labels: Array.from({ length: NUM_CLASSES }, (_, i) => i), zeroDivision: 0 }).f1,
          imagesPerSecond: seen / Math.max(1e-3, trainSeconds),
          seconds: (Date.now() - t0) / 1000,
        };
        history.push(record);
        const improved = f1 > state.bestMacroF1;
        state = { runKey: ctx.runKey, epoch, bestMacroF1: improved ? f1 : state.bestMacroF1, bestEpoch: improved ? epoch : state.bestEpoch };
        await ctx.store.saveEpoch({ state, history, model, optimizer, improved, fold: ctx.fold, round: ctx.round });
        ranThisCall++;
        if (!ctx.quiet) {
          log(`fold ${ctx.fold} epoch ${epoch + 1}/${epochs}: loss ${record.trainLoss.toFixed(4)} val ${record.valLoss.toFixed(4)} acc ${record.accuracy.toFixed(4)} F1 ${f1.toFixed(4)}${improved ? ' *' : ''} (${record.imagesPerSecond.toFixed(1)} img/s)`);
        }
        const alive = tf.memory().numTensors;
        if (tensorsAfterEpoch !== null && alive !== tensorsAfterEpoch && ranThisCall > 1) {
          throw new Error(`internal error: ${alive - tensorsAfterEpoch} tensors leaked during epoch ${epoch + 1}`);
        }
        tensorsAfterEpoch = alive;
      }
    } catch (err) {
      if (isOutOfMemory(err)) throw outOfMemoryError(err as Error, { task: `fold ${ctx.fold}`, during, batchSize: bs, setting: 'train.batchSize' });
      throw err;
    } finally {
      progress.stop();
    }
    return { state, history, complete: state.epoch === epochs - 1 };
  } finally {
    optimizer.dispose();
  }
}

function diverged(ctx: LoopContext, what: string, epoch: number, where: string, kept: RunState): DivergedError {
  return new DivergedError(
    `training diverged in fold ${ctx.fold}, epoch ${epoch + 1}, ${where}: ${what}. ` +
      `The last good checkpoint (after epoch ${kept.epoch + 1}) is kept in ${ctx.store.lastDir}; lower optim.lr or check the data, then rerun.`,
  );
}
