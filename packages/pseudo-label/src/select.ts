import { NUM_CLASSES } from '@facemask/contracts';
import { argmaxRow, indexById, type Predictions, type PseudoLabels, type PseudoSample } from '@facemask/contracts';

export class PseudoLabelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PseudoLabelError';
  }
}

export interface SelectOptions {
  /** Keep photos whose top probability is at least this. */
  threshold: number;
  /** Keep at most this many per class (the most confident; equal confidence: lower id first). null: no cap. */
  maxPerClass?: number | null;
}

/**
 * Confident eval predictions as labelled samples: each photo's argmax class, kept when its
 * probability reaches the threshold. The cap per class stops the easy majority classes (masked
 * young people) from swamping round 2.
 */
export function selectPseudoLabels(pred: Predictions, opts: SelectOptions): PseudoLabels {
  const maxPerClass = opts.maxPerClass ?? null;
  if (!(opts.threshold >= 0 && opts.threshold <= 1)) {
    throw new PseudoLabelError(`threshold ${opts.threshold} is not in [0, 1]: set config.pseudo.threshold to a probability`);
  }
  if (maxPerClass !== null && !(Number.isInteger(maxPerClass) && maxPerClass > 0)) {
    throw new PseudoLabelError(`maxPerClass ${maxPerClass} is not a positive integer: set config.pseudo.maxPerClass to one, or null for no cap`);
  }
  if (pred.split !== 'eval') {
    throw new PseudoLabelError(`${pred.source} holds ${pred.split} predictions: pseudo-labels come from eval predictions`);
  }
  indexById(pred);

  const byClass: { row: number; sample: PseudoSample }[][] = Array.from({ length: NUM_CLASSES }, () => []);
  pred.ids.forEach((id, row) => {
    const cls = argmaxRow(pred.probs, row);
    const confidence = pred.probs[row * NUM_CLASSES + cls]!;
    if (confidence >= opts.threshold) byClass[cls]!.push({ row, sample: { id, cls, confidence } });
  });

  const kept: { row: number; sample: PseudoSample }[] = [];
  for (const candidates of byClass) {
    if (maxPerClass !== null && candidates.length > maxPerClass) {
      candidates.sort((a, b) => b.sample.confidence - a.sample.confidence || compareIds(a.sample.id, b.sample.id));
      candidates.length = maxPerClass;
    }
    kept.push(...candidates);
  }
  kept.sort((a, b) => a.row - b.row);

  const counts = new Array<number>(NUM_CLASSES).fill(0);
  for (const k of kept) counts[k.sample.cls]! += 1;
  return {
    enabled: true,
    source: pred.source,
    threshold: opts.threshold,
    maxPerClass,
    considered: pred.ids.length,
    counts,
    samples: kept.map((k) => k.sample),
  };
}

/** The empty set written when pseudo-labelling is off. */
export function disabledPseudoLabels(threshold: number, maxPerClass: number | null = null): PseudoLabels {
  return { enabled: false, source: null, threshold, maxPerClass, considered: 0, counts: new Array<number>(NUM_CLASSES).fill(0), samples: [] };
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The stage's summary, without its own name: the pipeline prefixes every line of a task with it. */
export function formatPseudoLabels(set: PseudoLabels): string {
  if (!set.enabled) return 'disabled (config.pseudo.enabled is false); wrote an empty sample set';
  const cap = set.maxPerClass === null ? '' : `, at most ${set.maxPerClass} per class`;
  return [
    `kept ${set.samples.length} of ${set.considered} eval photos from ${set.source} (top probability >= ${set.threshold}${cap})`,
    `  per class 0..${NUM_CLASSES - 1}: ${set.counts.join(' ')}`,
    // Round 2 then repeats round 1 on the same photos: worth saying, since it costs a round of training.
    ...(set.samples.length === 0 && set.considered > 0
      ? ['  warning: no eval photo reached the threshold, so round 2 learns nothing new; lower config.pseudo.threshold (a 3-head model with label smoothing rarely puts 0.9 on one of 18 classes)']
      : []),
  ].join('\n');
}
