import { join } from 'node:path';

/** Where a fold of a round keeps its files: `<work>/train/round<r>/fold-<k>/`. */
export function foldDir(work: string, round: number, fold: number): string {
  return join(work, 'train', `round${round}`, `fold-${fold}`);
}

export const foldFiles = {
  last: 'last',
  best: 'best',
  metrics: 'metrics.jsonl',
  oof: 'predictions-oof.json',
  eval: 'predictions-eval.json',
  summary: 'summary.json',
  summaryText: 'summary.txt',
  augment: 'augment.json',
} as const;

/** Pooled backbone features computed once for the fast frozen mode, keyed by what shapes them. */
export function featureCacheDir(work: string, key: string): string {
  return join(work, 'train', 'features', key);
}
