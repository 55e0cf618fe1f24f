import { NUM_CLASSES } from '../labels.ts';
import type { Predictions } from '../artifacts/train.ts';

/** A probability row with `conf` on `cls` and the rest spread evenly. */
export function peaked(cls: number, conf: number): number[] {
  const rest = (1 - conf) / (NUM_CLASSES - 1);
  return Array.from({ length: NUM_CLASSES }, (_, c) => (c === cls ? conf : rest));
}

/** A row from sparse class probabilities; the remainder is spread over the other classes. */
export function row(sparse: Record<number, number>): number[] {
  const given = Object.values(sparse).reduce((a, b) => a + b, 0);
  const others = NUM_CLASSES - Object.keys(sparse).length;
  const rest = others > 0 ? (1 - given) / others : 0;
  return Array.from({ length: NUM_CLASSES }, (_, c) => sparse[c] ?? rest);
}

export function preds(
  source: string,
  split: 'oof' | 'eval',
  ids: string[],
  rows: number[][],
  labels: number[] | null = null,
): Predictions {
  return { source, split, numClasses: NUM_CLASSES, ids, probs: rows.flat(), labels };
}

export function rowOf(p: Predictions, id: string): number[] {
  const i = p.ids.indexOf(id);
  if (i < 0) throw new Error(`no ${id}`);
  return p.probs.slice(i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
}
