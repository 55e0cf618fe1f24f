import { NUM_CLASSES } from '@facemask/contracts';
import type { Predictions } from '@facemask/contracts';
import { EnsembleError } from './errors.ts';
import { examples, indexById } from '@facemask/contracts';

export interface ConcatOofOptions {
  /** `source` of the result. Default "ensemble/oof". */
  source?: string;
}

/**
 * Joins the per-fold out-of-fold predictions into one set covering every validated photo. Each
 * fold validates a disjoint part of the training photos, so an id in two folds means the folds
 * came from different splits (or a fold was trained twice on different splits).
 */
export function concatOof(preds: readonly Predictions[], opts: ConcatOofOptions = {}): Predictions {
  if (preds.length === 0) throw new EnsembleError('concatOof: no out-of-fold predictions given: pass one artifact per fold');
  const owner = new Map<string, string>();
  const ids: string[] = [];
  const probs: number[] = [];
  const labels: number[] = [];
  for (const p of preds) {
    if (p.split !== 'oof') {
      throw new EnsembleError(`concatOof: ${p.source} holds ${p.split} predictions, not out-of-fold ones: pass the predictions-oof artifacts`);
    }
    if (p.labels === null) {
      throw new EnsembleError(`concatOof: ${p.source} out-of-fold predictions carry no labels, so they cannot be scored: retrain that fold`);
    }
    indexById(p);
    const shared = p.ids.filter((id) => owner.has(id));
    if (shared.length > 0) {
      const other = owner.get(shared[0]!)!;
      throw new EnsembleError(
        `concatOof: ${shared.length} ids are in both ${other} and ${p.source}, e.g. ${examples(shared)}: ` +
          'out-of-fold sets must be disjoint; retrain the folds from one preprocess split',
      );
    }
    for (const id of p.ids) owner.set(id, p.source);
    ids.push(...p.ids);
    for (let i = 0; i < p.probs.length; i++) probs.push(p.probs[i]!);
    labels.push(...p.labels);
  }
  return { source: opts.source ?? 'ensemble/oof', split: 'oof', numClasses: NUM_CLASSES, ids, probs, labels };
}
