import type { LayersModel } from '@tensorflow/tfjs-layers';
import { accuracy, macroF1, NUM_CLASSES, type EpochRecord, type FoldSummary, type Predictions, type StageParams } from '@facemask/contracts';
import type { RunState } from './checkpoint.ts';
import type { HeadAdapter } from './head.ts';
import { argmaxRows, predictRows } from './predict.ts';
import type { FoldRows } from './rows.ts';
import type { BatchSource } from './source.ts';

export interface FoldOutcome {
  summary: FoldSummary;
  /** Out-of-fold and eval predictions of the best weights. */
  predictions: { oof: Predictions; eval: Predictions };
  /** The out-of-fold true and predicted classes (for the per-class report). */
  oofClasses: { yTrue: number[]; yPred: number[] };
}

export interface FinishContext {
  params: Pick<StageParams<'train'>, 'train' | 'augment'>;
  round: number;
  fold: number;
  head: HeadAdapter;
  rows: FoldRows;
}

/** What a fold reports, complete or not (a stopped fold reports its progress). */
export function foldSummary(ctx: FinishContext, state: RunState, history: readonly EpochRecord[], complete: boolean): FoldSummary {
  return {
    round: ctx.round,
    fold: ctx.fold,
    complete,
    epochs: ctx.params.train.epochs,
    epochsDone: state.epoch + 1,
    bestEpoch: state.bestEpoch,
    bestMacroF1: state.bestMacroF1,
    bestAccuracy: history.find((h) => h.epoch === state.bestEpoch)?.accuracy ?? 0,
    trainSamples: ctx.rows.trainRows.length,
    valSamples: ctx.rows.valRows.length,
    evalSamples: ctx.rows.evalRows.length,
    imagesPerSecond: mean(history.map((h) => h.imagesPerSecond)),
    seconds: history.reduce((s, h) => s + h.seconds, 0),
    mode: ctx.params.train.mode,
  };
}

/**
 * The fold's predictions with its best weights (already in `model`): out-of-fold and eval, with
 * test-time flips when augment.tta is on, and the summary scored on them.
 */
export async function predictFold<Raw>(ctx: FinishContext, source: BatchSource<Raw>, model: LayersModel, state: RunState, history: readonly EpochRecord[]): Promise<FoldOutcome> {
  const tta = ctx.params.augment.tta;
  const bs = Math.max(ctx.params.train.batchSize, 16);
  const oof = await predictRows(source, model, ctx.head, ctx.rows.valRows.map((r) => r.cacheRow), null, bs, tta);
  const ev = await predictRows(source, model, ctx.head, ctx.rows.evalRows, null, bs, tta);
  const source_ = `round${ctx.round}/fold-${ctx.fold}`;
  const yTrue = ctx.rows.valRows.map((r) => r.cls);
  const yPred = argmaxRows(oof.probs);
  return {
    summary: { ...foldSummary(ctx, state, history, true), bestMacroF1: macroF1(yTrue, yPred), bestAccuracy: accuracy(yTrue, yPred) },
    predictions: {
      oof: { source: source_, split: 'oof', numClasses: NUM_CLASSES, ids: ctx.rows.valRows.map((r) => r.id), probs: clamp(oof.probs), labels: yTrue },
      eval: { source: source_, split: 'eval', numClasses: NUM_CLASSES, ids: ctx.rows.evalIds, probs: clamp(ev.probs), labels: null },
    },
    oofClasses: { yTrue, yPred },
  };
}

/** float32 sums can exceed 1 by an ulp; the artifact schema wants [0, 1]. */
function clamp(probs: Float32Array): number[] {
  return Array.from(probs, (v) => Math.min(1, Math.max(0, v)));
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}
